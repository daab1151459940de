// How an address is written in messages and compared: `host:port`, `[ipv6]:port`.
import { Endpoint } from "./types";

export function addressText(e: Endpoint): string {
    return e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
