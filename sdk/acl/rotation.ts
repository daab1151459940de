// Password rotation without a failed command: the new password is accepted before any client uses
// it, and the old one is refused only after every client moved. Pure plan; the executor is
// provider/security/acl-apply.ts (rotatePassword).
import { describeCommand } from "./commands";

export type RotationStep =
    /** Step 1: the node accepts the new password besides the old ones (`>new`). */
    | { readonly kind: "add"; readonly user: string; readonly command: readonly string[] }
    /** Step 2: the callers switch to the new password (re-AUTH or reconnect); nothing is sent to nodes. */
    | { readonly kind: "switch"; readonly user: string }
    /** Step 3: the old passwords stop working (`<old`). */
    | { readonly kind: "remove"; readonly user: string; readonly command: readonly string[] };

/**
 * The three steps of rotating `user` from `oldPasswords` to `newPassword`. Throws (without echoing a
 * password) when the new password is one of the old ones: that is not a rotation.
 */
export function planPasswordRotation(user: string, oldPasswords: readonly string[], newPassword: string): RotationStep[] {
    if (oldPasswords.includes(newPassword)) throw new Error(`rotating the password of ${user}: the new password is one of the current ones`);
    return [
        { kind: "add", user, command: ["ACL", "SETUSER", user, `>${newPassword}`] },
        { kind: "switch", user },
        { kind: "remove", user, command: ["ACL", "SETUSER", user, ...oldPasswords.map((p) => `<${p}`)] },
    ];
}

/** A step as a log line, without passwords. */
export function describeRotationStep(step: RotationStep): string {
    return step.kind === "switch" ? `${step.user}: clients switch to the new password` : `${step.user}: ${describeCommand(step.command)}`;
}
