// Directives to valkey.conf text. Valkey splits each line into arguments like a shell (sdssplitargs):
// whitespace separates, "double" and 'single' quotes group, and a quote anywhere in a bare word
// starts a quoted part. Values are quoted exactly when a bare word would be read differently.
import { Directive, RenderOptions, valkeyDirectives } from "./directives";
import { ServiceModel, describeTopology } from "../spec/service-model";

/**
 * Directives whose value is several arguments (`save 600 1`, `bind * -::*`,
 * `client-output-buffer-limit pubsub 32mb 8mb 60`, `sentinel monitor <group> <host> <port> <quorum>`):
 * written as separate words, not one quoted string, the way valkey.conf documents them.
 */
export const MULTI_ARG_DIRECTIVES: ReadonlySet<string> = new Set(["save", "bind", "client-output-buffer-limit", "sentinel"]);

/** A word as valkey.conf reads it back unchanged: bare when safe, else double-quoted with escapes. */
export function quoteConfigValue(value: string): string {
    if (/^[^\s"'\\\x00-\x1f\x7f]+$/.test(value)) return value;
    let out = '"';
    for (const ch of value) {
        const code = ch.codePointAt(0)!;
        if (ch === '"' || ch === "\\") out += `\\${ch}`;
        else if (ch === "\n") out += "\\n";
        else if (ch === "\r") out += "\\r";
        else if (ch === "\t") out += "\\t";
        else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
        else out += ch;
    }
    return out + '"';
}

/** One valkey.conf line for a directive. */
export function renderDirective(directive: Directive): string {
    if (MULTI_ARG_DIRECTIVES.has(directive.name)) {
        const words = directive.value.split(" ").filter((w) => w !== "");
        // `save ""` is how valkey.conf says "no rules"; a bare `save` is a syntax error.
        return words.length === 0 ? `${directive.name} ""` : `${directive.name} ${words.map(quoteConfigValue).join(" ")}`;
    }
    return `${directive.name} ${quoteConfigValue(directive.value)}`;
}

/** What a file header says the service is sized by: its plan, else its topology (a ValkeyCluster has no plan). */
export function sizedBy(model: Pick<ServiceModel, "sizing" | "topology">): string {
    return model.sizing.plan !== undefined ? `plan ${model.sizing.plan}` : describeTopology(model.topology);
}

/** The text of a node's valkey.conf (see valkeyDirectives for what goes in it). */
export function renderValkeyConf(model: ServiceModel, options: RenderOptions = {}): string {
    const header = [
        `# valkey.conf of ${model.engine} service ${JSON.stringify(model.name)}, ${sizedBy(model)}.`,
        "# Rendered by pulumi-valkey from the spec: change the spec, not this file.",
        "# No secrets here: they come from the include at the end.",
    ];
    return [...header, ...valkeyDirectives(model, options).map(renderDirective)].join("\n") + "\n";
}
