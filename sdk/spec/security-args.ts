// Pulumi args of TLS and ACL users: plain interfaces of `pulumi.Input<T>`, mirroring the zod
// schemas in security.ts field for field (tests/unit/security/args-types.test.ts fails to compile
// when they drift apart). Constraints live in the schemas; the docs say what happens when unset.
import type * as pulumi from "@pulumi/pulumi";

type Input<T> = pulumi.Input<T>;

export interface InternalCertsArgs {
    /** Lifetime of the server and client certificates: "90d", "12h", "120m", "3mo", "1y". @default "90d" */
    validity?: Input<string>;
    /** Lifetime of the CA. @default "3650d" */
    caValidity?: Input<string>;
    /** Renew on the first `pulumi up` after this share (66-80 %) of the lifetime. @default 66 */
    rotateBeforePercent?: Input<number>;
}

/** TLS of the nodes (seeds/002 ValkeyClusterTls). */
export interface ValkeyClusterTlsArgs {
    /** Secret with tls.crt, tls.key and ca.crt, renewed by someone else. @default certificates from @pulumi/tls */
    externalCerts?: Input<string>;
    /** Settings of the @pulumi/tls certificates; exclusive with externalCerts. @default the defaults of InternalCertsArgs */
    internalCerts?: Input<InternalCertsArgs>;
    /** No plaintext listener. @default true */
    disableNonTlsPort?: Input<boolean>;
    /** @default 6379 */
    tlsPort?: Input<number>;
    /** Require client certificates (mTLS). @default false (checked only when presented) */
    tlsAuthClients?: Input<boolean>;
    /** Cluster bus over TLS. @default true */
    tlsCluster?: Input<boolean>;
    /** Replication over TLS. @default true */
    tlsReplication?: Input<boolean>;
    /** @default OpenSSL's cipher list */
    tlsCiphers?: Input<string>;
    /** @default "TLSv1.2 TLSv1.3" */
    tlsProtocols?: Input<string>;
}

export interface AclSystemUserArgs {
    /** @default seeds/002's name of the user (valkey-admin, primary-replication-user, exporter-user) */
    name?: Input<string>;
    /**
     * The first is current; the others stay valid during a rotation. May be Outputs, e.g. from
     * `config.requireSecret`: they stay secret, and are checked (8-256 characters, at most 5, no
     * repeats) once known, failing the update with the field's path. @default one from @pulumi/random
     */
    passwords?: Input<Input<string>[]>;
}

export interface AclUserArgs {
    name: Input<string>;
    /**
     * The first is current; the others stay valid during a rotation. May be Outputs, e.g. from
     * `config.requireSecret`: they stay secret, and are checked (8-256 characters, at most 5, no
     * repeats) once known, failing the update with the field's path. @default one from @pulumi/random
     */
    passwords?: Input<Input<string>[]>;
    /** ACL rules, e.g. "+GET +SET ~app:*"; the user starts with nothing allowed. */
    rules: Input<string>;
}

/**
 * ACL users (seeds/002 ValkeyClusterAcl). Plain values, since they decide which resources exist,
 * except each user's `passwords`, which may be Outputs (secret ones stay secret).
 */
export interface ValkeyClusterAclArgs {
    /** The provider's own user (all commands, keys, channels). @default named valkey-admin */
    admin?: Input<AclSystemUserArgs>;
    /** Replication user (primaryuser). @default named primary-replication-user */
    replication?: Input<AclSystemUserArgs>;
    /** Metrics exporter user. @default named exporter-user */
    exporter?: Input<AclSystemUserArgs>;
    /** Application users. @default none */
    users?: Input<Input<AclUserArgs>[]>;
    /** "restricted" (PING only, password kept for the probes) or "off". @default "restricted" */
    defaultUser?: Input<"restricted" | "off">;
}
