// One connection to one node over iovalkey: user/password, TLS, short timeouts, and no reconnect
// loop (a lost connection is reopened by the next observation round, which decides what to do).
import type Redis from "iovalkey";
import * as net from "net";
import { AuthenticationError, CommandError, redact, UnreachableError } from "../errors";
import { addressText } from "../reconcile/address";
import { NodeTarget } from "./transport";

export interface Credentials {
    /** ACL user. @default the default user */
    readonly username?: string;
    readonly password?: string;
}

/** TLS material as PEM text. TLS is used when this object is given. */
export interface TlsOptions {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    /** The name the server certificate must carry (and SNI). @default the dial host */
    readonly serverName?: string;
    /** Check the server certificate against `ca`. @default true */
    readonly verify?: boolean;
}

export interface ConnectOptions {
    readonly credentials?: Credentials;
    readonly tls?: TlsOptions;
    /** @default 2000 ms */
    readonly connectTimeoutMs?: number;
    /** @default 5000 ms */
    readonly commandTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** A node that just failed to connect is not dialled again sooner than this. */
export const REDIAL_AFTER_MS = 100;
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
/** CLIENT SETNAME of the provider's connections: tells them apart from the applications' in CLIENT LIST. */
export const PROVIDER_CONNECTION_NAME = "pulumi-valkey";

/** A server's error reply, as opposed to a lost connection. */
export function isReplyError(e: unknown): e is Error {
    return e instanceof Error && e.name === "ReplyError";
}

function isAuthReply(message: string): boolean {
    return /^(NOAUTH|WRONGPASS)|invalid password|without any password configured/i.test(message);
}

export class NodeClient {
    private redis?: Redis;
    private lastError?: string;
    private failed?: { at: number; error: Error };
    private connecting?: Promise<void>;

    constructor(
        readonly target: NodeTarget,
        private readonly options: ConnectOptions = {},
    ) {}

    get connected(): boolean {
        return this.redis !== undefined && this.redis.status === "ready";
    }

    private secrets(): (string | undefined)[] {
        return [this.options.credentials?.password, this.options.tls?.key];
    }

    private unreachable(reason: string): UnreachableError {
        const extra = this.target.diagnose?.();
        const text = extra ? `${reason} (${extra})` : reason;
        return new UnreachableError(this.target.name, addressText(this.target.dial), redact(text, this.secrets()));
    }

    /** Opens the connection (if not open) and checks that the node answers and accepts the credentials. */
    connect(): Promise<void> {
        if (this.connected) return Promise.resolve();
        // Concurrent callers share one attempt.
        this.connecting ??= this.attempt().finally(() => {
            this.connecting = undefined;
        });
        return this.connecting;
    }

    private async attempt(): Promise<void> {
        this.close();
        if (this.failed && Date.now() - this.failed.at < REDIAL_AFTER_MS) throw this.failed.error;
        try {
            await this.open();
            this.failed = undefined;
        } catch (e) {
            this.failed = { at: Date.now(), error: e as Error };
            throw e;
        }
    }

    private async open(): Promise<void> {
        // Loaded here, not at the top: the dynamic provider's serialized closure must stay small.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const RedisClass: typeof Redis = require("iovalkey");
        const { credentials, tls } = this.options;
        const redis = new RedisClass({
            host: this.target.dial.host,
            port: this.target.dial.port,
            ...(credentials?.username !== undefined ? { username: credentials.username } : {}),
            ...(credentials?.password !== undefined ? { password: credentials.password } : {}),
            ...(tls
                ? {
                      tls: {
                          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
                          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
                          ...(tls.key !== undefined ? { key: tls.key } : {}),
                          // SNI takes names only; without one, Node checks the certificate against the dialled IP.
                          ...(tls.serverName !== undefined
                              ? { servername: tls.serverName }
                              : net.isIP(this.target.dial.host)
                                ? {}
                                : { servername: this.target.dial.host }),
                          rejectUnauthorized: tls.verify ?? true,
                      },
                  }
                : {}),
            lazyConnect: true,
            connectionName: PROVIDER_CONNECTION_NAME,
            connectTimeout: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
            commandTimeout: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
            reconnectOnError: () => false,
            enableOfflineQueue: false,
            enableReadyCheck: false,
            autoResendUnfulfilledCommands: false,
        });
        this.lastError = undefined;
        redis.on("error", (e: Error) => {
            this.lastError = e.message;
        });
        this.redis = redis;
        try {
            await redis.connect();
        } catch (e) {
            this.close();
            throw this.unreachable(this.lastError ?? (e as Error).message);
        }
        try {
            await redis.call("PING");
        } catch (e) {
            const message = (e as Error).message;
            this.close();
            if (isReplyError(e) && isAuthReply(message)) {
                const user = credentials?.username ?? "default";
                const reason = this.lastError && isAuthReply(this.lastError) ? this.lastError : message;
                throw new AuthenticationError(this.target.name, redact(`user ${user}: ${reason}`, this.secrets()));
            }
            throw this.unreachable(this.lastError ?? message);
        }
    }

    /**
     * Sends one command. A server error reply becomes a CommandError naming the node and the command;
     * a lost connection becomes an UnreachableError (and the connection is reopened on next use).
     * `shown` replaces the command in error messages (for long commands, or ones carrying a password).
     */
    async call(args: readonly string[], shown?: string): Promise<unknown> {
        await this.connect();
        const redis = this.redis as Redis;
        try {
            return await redis.call(args[0], ...args.slice(1));
        } catch (e) {
            const message = redact((e as Error).message, this.secrets());
            if (isReplyError(e)) throw new CommandError(this.target.name, shown ?? args.join(" "), message);
            this.close();
            throw this.unreachable(this.lastError ?? message);
        }
    }

    /**
     * Sends the commands in one write (a pipeline) and returns each one's outcome, in order; errors
     * as `call` reports them (`shown` replaces a command in messages). A lost connection rejects all.
     */
    async callMany(commands: readonly { readonly args: readonly string[]; readonly shown?: string }[]): Promise<PromiseSettledResult<unknown>[]> {
        if (commands.length === 0) return [];
        await this.connect();
        const redis = this.redis as Redis;
        const pipeline = redis.pipeline();
        for (const c of commands) pipeline.call(c.args[0], ...c.args.slice(1));
        let replies: [Error | null, unknown][];
        try {
            replies = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
        } catch (e) {
            this.close();
            throw this.unreachable(this.lastError ?? redact((e as Error).message, this.secrets()));
        }
        if (replies.length !== commands.length || replies.some(([e]) => e && !isReplyError(e))) {
            const lost = replies.find(([e]) => e && !isReplyError(e))?.[0];
            this.close();
            throw this.unreachable(this.lastError ?? redact(lost?.message ?? "the pipeline was cut short", this.secrets()));
        }
        return replies.map(([e, value], i) =>
            e
                ? {
                      status: "rejected",
                      reason: new CommandError(this.target.name, commands[i].shown ?? commands[i].args.join(" "), redact(e.message, this.secrets())),
                  }
                : { status: "fulfilled", value },
        );
    }

    /** A new client (its own connection) to the same node with the same TLS and timeouts, as `credentials`. */
    as(credentials: Credentials): NodeClient {
        return new NodeClient(this.target, { ...this.options, credentials });
    }

    close(): void {
        const redis = this.redis;
        this.redis = undefined;
        if (redis) redis.disconnect(false);
    }
}
