// The Aiven front door of `Valkey` and `Redis`: validates the spec, builds the service model and
// hands it to the one factory (deploy.ts). The classes only copy its results into their readonly fields.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { RedisSpec, ValkeySpec, redisSpecSchema, valkeySpecSchema } from "../spec/aiven";
import { Engine, ServiceModel, buildModel } from "../spec/model";
import { ioThreadsWarning } from "../spec/limits";
import { restartLosesData } from "../spec/persistence";
import { getPlan, hasPlan } from "../spec/plans";
import { SpecError, SpecIssue, parseSpec } from "../spec/validate";
import { Deployment, deployService } from "./deploy";
import type { NodeOutput } from "../types/topology";
import { splitLatePasswords } from "./acl-inputs";
import { knownPart } from "./inputs";

/** Fields that decide which objects exist: they must be plain values, not Outputs. */
const STRUCTURAL = (engine: Engine) => [
    "plan",
    "connInfoSecretTargetDisabled",
    "terminationProtection",
    "userConfig.public_access",
    "userConfig.private_access",
    `userConfig.${engine}_ssl`,
    // Which users (and RandomPasswords) exist, and the certificates: ACL passwords may be Outputs (splitLatePasswords).
    "kubernetes.acl",
    "kubernetes.tls",
];

/** What Valkey and Redis expose: the deployment's outputs, with the nodes under the Aiven-style name `topology`. */
export type ServiceResult = Omit<Deployment, "nodes"> & { readonly topology: pulumi.Output<NodeOutput[]> };

function subjectOf(engine: Engine, name: string): string {
    return `${engine === "valkey" ? "Valkey" : "Redis"} ${JSON.stringify(name)}`;
}

function schemaOf(engine: Engine): z.ZodType<ValkeySpec | RedisSpec> {
    return engine === "valkey" ? valkeySpecSchema : redisSpecSchema;
}

/**
 * Checks everything known at construction time and throws a SpecError listing every problem, so
 * that `pulumi preview` fails before anything is created. Returns the model when every value is
 * already known (the usual case), undefined when some are Outputs.
 */
export function checkAtConstruction(engine: Engine, name: string, args: unknown): ServiceModel | undefined {
    const subject = subjectOf(engine, name);
    const { known, deferred } = knownPart(args);
    const structural = STRUCTURAL(engine).filter((path) => deferred.some((d) => path === d || path.startsWith(d + ".")));
    const issues: SpecIssue[] = structural.map((path) => ({
        path,
        message: "must be a plain value, not an Output or a Promise: it decides which Kubernetes objects are created",
    }));
    try {
        parseSpec(schemaOf(engine), known, subject, deferred);
    } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        issues.push(...e.issues);
    }
    if (issues.length > 0) throw new SpecError(subject, issues);
    if (deferred.length > 0) {
        const plan = (known as { plan?: string }).plan;
        if (plan !== undefined && !hasPlan(plan)) getPlan(plan); // throws the list of valid plans
        return undefined;
    }
    return buildModel(engine, name, parseSpec(schemaOf(engine), known, subject));
}

export function createService(engine: Engine, name: string, given: unknown, parent: pulumi.ComponentResource): ServiceResult {
    const subject = subjectOf(engine, name);
    // ACL passwords given as Outputs stay out of the model (it would hold them, and make every
    // object built from it secret); they are validated when they resolve (createAclUsers).
    const { args, late } = splitLatePasswords(given ?? {}, ["kubernetes", "acl"]);
    const plainModel = checkAtConstruction(engine, name, args);
    // Values known only at deploy time are validated again when they resolve.
    const model: pulumi.Output<ServiceModel> = plainModel
        ? pulumi.output(plainModel)
        : pulumi
              .output(args as pulumi.Input<Record<string, unknown>>)
              .apply((resolved) => buildModel(engine, name, parseSpec(schemaOf(engine), resolved, subject)));
    // Structure comes from the plain fields (checked above to be plain).
    const structure = plainModel ?? buildModel(engine, name, parseSpec(schemaOf(engine), structuralView(engine, args), subject));
    if (structure.tls !== undefined && !plainModel) {
        // Name the fields that are Outputs (e.g. kubernetes.tls), not only the switch that needs them plain.
        const outputs = knownPart(args).deferred;
        throw new SpecError(
            subject,
            (outputs.length > 0 ? outputs : [`userConfig.${engine}_ssl`]).map((path) => ({
                path,
                message: `must be a plain value, not an Output or a Promise, with userConfig.${engine}_ssl: TLS needs every field known at preview, since the certificate names derive from the namespace and kubernetes.tls decides which certificates exist`,
            })),
        );
    }
    const warn = (m: ServiceModel) => {
        for (const field of m.unmapped) {
            pulumi.log.warn(
                `${subject}: ${field.path} has no meaning on Kubernetes; it is recorded as the annotation pulumi-valkey/${field.path} and otherwise ignored`,
                parent,
            );
        }
        // The seeds accept a service without a disk; it must never be a surprise that it empties.
        if (restartLosesData(m)) pulumi.log.warn(memoryOnlyWarning(m, subject), parent);
        const warning = ioThreadsWarning(engine, m.options.ioThreads, subject);
        if (warning !== undefined) pulumi.log.warn(warning, parent);
    };
    if (plainModel) warn(plainModel);
    else model.apply(warn);

    const { known, deferred } = knownPart(args);
    const hasKubeconfig =
        (known as { kubernetes?: { kubeconfig?: string } }).kubernetes?.kubeconfig !== undefined ||
        deferred.some((d) => d === "kubernetes" || d === "kubernetes.kubeconfig");
    const deployment = deployService(parent, name, model, structure, {
        subject,
        guardType: "ValkeyServiceGuard",
        diskFields: { storageSize: "disk_space", storageClassName: "kubernetes.storageClassName" },
        kubeconfigField: { path: "kubernetes.kubeconfig", example: "`kubernetes: { ...args.kubernetes, kubeconfig }`" },
        ...(hasKubeconfig ? { kubeconfig: model.apply((m) => m.kubeconfig!) } : {}),
        latePasswords: late,
        externalCertsField: "kubernetes.tls.externalCerts",
    });
    const { nodes, ...rest } = deployment;
    return { ...rest, topology: nodes };
}

/** The preview warning of a service whose pods have no disk. */
export function memoryOnlyWarning(m: ServiceModel, subject: string): string {
    const why = m.options.persistence !== "off" && m.sizing.plan !== undefined ? `plan ${m.sizing.plan}` : `userConfig.${m.engine}_persistence "off"`;
    return (
        `${subject}: no disk (${why}): every key is in memory only, and a pod that restarts (a crash, an eviction, a node drain, a new pod template) comes back empty. ` +
        (m.maintenance.allowDataLoss === true
            ? "kubernetes.allowDataLossOnRestart is true: the provider restarts these pods for a new pod template too."
            : "The provider does not restart these pods for a new pod template (pendingRestart says why) unless kubernetes.allowDataLossOnRestart is true. " +
              `To keep the keys, create the service with a disk (userConfig.${m.engine}_persistence "rdb"; a disk cannot be added to running pods).`)
    );
}

/** The structural fields plus stand-ins for deferred required ones, to decide the structure. */
function structuralView(engine: Engine, args: unknown): Record<string, unknown> {
    const { known } = knownPart(args);
    const view = { ...(known as Record<string, unknown>) };
    // Deferred required fields get neutral stand-ins; their real values are checked on resolve.
    view.project = typeof view.project === "string" ? view.project : "deferred";
    const userConfig = (view.userConfig ?? {}) as Record<string, unknown>;
    view.userConfig = Object.fromEntries(Object.entries(userConfig).filter(([k]) => STRUCTURAL(engine).includes(`userConfig.${k}`)));
    const kubernetes = (view.kubernetes ?? {}) as Record<string, unknown>;
    view.kubernetes = Object.fromEntries(Object.entries(kubernetes).filter(([k]) => STRUCTURAL(engine).includes(`kubernetes.${k}`)));
    return Object.fromEntries(Object.entries(view).filter(([k]) => ["project", "plan", "userConfig", "kubernetes", ...STRUCTURAL(engine)].includes(k)));
}
