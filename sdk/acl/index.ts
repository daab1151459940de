// ACL users, pure: who exists with which rules, and the commands that establish them.
export * from "./users";
export * from "./commands";
export * from "./rotation";
