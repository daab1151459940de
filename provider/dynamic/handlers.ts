// The dynamic provider's methods, as plain functions over plain data. `./topology` (the
// pulumi.dynamic.ResourceProvider) only forwards to these after require()-ing this package inside
// each method, so the closure Pulumi serializes into the state stays a few lines long.
import { converge, ConvergeResult } from "../converge/converge";
import { kubernetesTransport } from "../nodes/kubernetes";
import { directTransport, Transport } from "../nodes/transport";
import { checkInputs, CheckFailure, DEFAULT_TIMEOUT_SECONDS, diffInputs, nodeOutputs, resourceId, settingsOf, TopologyInputs, TopologyOutputs } from "./inputs";

function transportOf(inputs: TopologyInputs): Transport {
    const t = inputs.transport;
    if (t.kind === "direct") return directTransport(t.nodes);
    const { kind: _kind, ...target } = t;
    return kubernetesTransport(target);
}

/**
 * Converges the nodes to the inputs and returns the outputs (the inputs, plus what was verified). A
 * dynamic provider has no log the user sees: what it did is in the `lastActions` output.
 */
async function run(inputs: TopologyInputs): Promise<TopologyOutputs> {
    const settings = settingsOf(inputs);
    const result: ConvergeResult = await converge(
        {
            topology: inputs.topology,
            transport: transportOf(inputs),
            ...(inputs.username !== undefined || inputs.password !== undefined
                ? { credentials: { ...(inputs.username !== undefined ? { username: inputs.username } : {}), ...(inputs.password !== undefined ? { password: inputs.password } : {}) } }
                : {}),
            ...(inputs.tls !== undefined ? { tls: inputs.tls } : {}),
            ...(Object.keys(settings).length > 0 ? { settings } : {}),
        },
        { timeoutMs: (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000 },
    );
    const primaries = result.layout.primaries.map((p) => result.nodes.find((n) => n.name === p.node)?.address ?? p.node);
    // Pulumi's own properties (the serialized provider) stay out of the outputs; it adds them back.
    const echoed = Object.fromEntries(Object.entries(inputs).filter(([key]) => !key.startsWith("__"))) as unknown as TopologyInputs;
    return { ...echoed, state: "RUNNING", nodes: nodeOutputs(result.nodes), primaryEndpoints: primaries, lastActions: [...result.actions] };
}

export const topologyHandlers = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }> {
        return { inputs: news, failures: checkInputs(news) };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { ...diffInputs(olds, news), deleteBeforeReplace: false };
    },
    async create(inputs: TopologyInputs): Promise<{ id: string; outs: TopologyOutputs }> {
        return { id: resourceId(inputs), outs: await run(inputs) };
    },
    async update(_id: string, _olds: TopologyOutputs, news: TopologyInputs): Promise<{ outs: TopologyOutputs }> {
        return { outs: await run(news) };
    },
    /**
     * Deleting the resource changes nothing on the nodes: the pods, their data and the cluster belong
     * to the Kubernetes objects (or to whoever runs the servers). It only stops managing the topology.
     */
    async delete(): Promise<void> {
        return;
    },
};
