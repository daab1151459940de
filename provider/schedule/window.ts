// When disruptive changes (restarts) may run: inside the maintenance window (UTC) given by
// maintenanceWindowDow / maintenanceWindowTime, unless the user forces them. Pure: the clock is a
// parameter, so the logic is tested with any instant.

import type { DayOfWeek } from "../../sdk/spec/args";
import type { MaintenanceWindow } from "../../sdk/types/topology";

export type { DayOfWeek, MaintenanceWindow };

/** How long a window stays open once it starts: Aiven's maintenance runs take up to a few hours. */
export const WINDOW_DURATION_MS = 4 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
const DAYS: readonly DayOfWeek[] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

export type Decision = { readonly apply: true; readonly reason: string } | { readonly apply: false; readonly reason: string; readonly pendingUntil: Date };

function startOffsetMs(time: string | undefined): number {
    if (time === undefined) return 0;
    const [h, m, s] = time.split(":").map(Number);
    return ((h * 60 + m) * 60 + s) * 1000;
}

/** The start of the window that is open at `now`, or undefined when none is. */
export function openWindowStart(window: MaintenanceWindow, now: Date): Date | undefined {
    if (window.dow === undefined && window.time === undefined) return undefined;
    const offset = startOffsetMs(window.time);
    // A window may have started yesterday (e.g. 23:00 + 4 h): look back one period.
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    for (const dayBack of [0, 1]) {
        const start = midnight - dayBack * DAY_MS + offset;
        const startDay = DAYS[new Date(start).getUTCDay()];
        if (window.dow !== undefined && startDay !== window.dow) continue;
        if (now.getTime() >= start && now.getTime() < start + WINDOW_DURATION_MS) return new Date(start);
    }
    return undefined;
}

/** The next window start strictly after `now` (undefined when no window is configured). */
export function nextWindowStart(window: MaintenanceWindow, now: Date): Date | undefined {
    if (window.dow === undefined && window.time === undefined) return undefined;
    const offset = startOffsetMs(window.time);
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    for (let day = 0; day <= 7; day++) {
        const start = midnight + day * DAY_MS + offset;
        if (start <= now.getTime()) continue;
        if (window.dow === undefined || DAYS[new Date(start).getUTCDay()] === window.dow) return new Date(start);
    }
    throw new Error("unreachable: a weekly window starts within 8 days");
}

/**
 * Whether a disruptive change may run at `now`: yes without a window, inside the window, or when
 * forced; otherwise it is pending until the next window opens.
 */
export function decideDisruptive(window: MaintenanceWindow, now: Date, force = false): Decision {
    if (force) return { apply: true, reason: "forced by the user" };
    if (window.dow === undefined && window.time === undefined) return { apply: true, reason: "no maintenance window is set" };
    const open = openWindowStart(window, now);
    if (open) return { apply: true, reason: `inside the maintenance window that opened at ${open.toISOString()}` };
    const next = nextWindowStart(window, now)!;
    return { apply: false, reason: `waiting for the maintenance window at ${next.toISOString()}`, pendingUntil: next };
}
