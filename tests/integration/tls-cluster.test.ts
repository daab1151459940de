// A TLS-only cluster (no plaintext listener, cluster bus and replication over TLS, mTLS) bootstrapped
// by the project's converge code over TLS connections, then checked over TLS: cluster_state ok on
// every node, replicas linked, and no node answers in plaintext.
import { expect } from "chai";
import * as fs from "fs";
import { converge } from "../../provider/converge/converge";
import { NodeClient, TlsOptions } from "../../provider/nodes/client";
import { NodeTarget } from "../../provider/nodes/transport";
import { address, direct, fields } from "../helpers/nodes";
import { makeCertificates } from "../helpers/tls";
import { rawCommand, startValkey, stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

function target(s: ValkeyProcess): NodeTarget {
    const endpoint = { host: s.host, port: s.port };
    return { name: address(s), dial: endpoint, announce: endpoint, placement: { host: s.host } };
}

async function info(s: ValkeyProcess, tls: TlsOptions, args: string[]): Promise<Record<string, string>> {
    const client = new NodeClient(target(s), { tls });
    try {
        return fields(String(await client.call(args)));
    } finally {
        client.close();
    }
}

describe("TLS-only cluster on real servers", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("converges 3 primaries x 1 replica over TLS (tls-cluster, tls-replication, mTLS); cluster_state ok over TLS; plaintext gets no answer", async () => {
        const certs = makeCertificates();
        const files = {
            certFile: certs.serverCert,
            keyFile: certs.serverKey,
            caFile: certs.caFile,
            clientCertFile: certs.clientCert,
            clientKeyFile: certs.clientKey,
        };
        const servers = await Promise.all(
            Array.from({ length: 6 }, () =>
                startValkey({ cluster: true, tls: files, args: ["--tls-cluster", "yes", "--tls-replication", "yes", "--tls-auth-clients", "yes"] }),
            ),
        );
        const tls: TlsOptions = {
            ca: fs.readFileSync(certs.caFile, "utf8"),
            cert: fs.readFileSync(certs.clientCert, "utf8"),
            key: fs.readFileSync(certs.clientKey, "utf8"),
        };
        const result = await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers), tls });
        console.log(`      converged over TLS in ${result.elapsedMs} ms, ${result.mutations} mutating commands`);
        expect(result.layout.primaries).to.have.length(3);

        for (const s of servers) {
            const cluster = await info(s, tls, ["CLUSTER", "INFO"]);
            expect([address(s), cluster.cluster_state, cluster.cluster_slots_ok, cluster.cluster_known_nodes]).to.deep.equal([address(s), "ok", "16384", "6"]);
        }
        for (const r of result.layout.replicas) {
            const replica = servers.find((s) => address(s) === r.node)!;
            const replication = await info(replica, tls, ["INFO", "replication"]);
            expect([r.node, replication.master_link_status]).to.deep.equal([r.node, "up"]);
        }
        for (const s of servers) {
            const client = new NodeClient(target(s), { tls });
            const config = await client.call(["CONFIG", "GET", "port"]);
            client.close();
            expect(config).to.deep.equal(["port", "0"]);
            const plain = await rawCommand(s.port, "PING", s.host, 300).then(
                (reply) => `replied ${reply}`,
                () => "no reply",
            );
            expect([address(s), plain]).to.deep.equal([address(s), "no reply"]);
        }
    });
});
