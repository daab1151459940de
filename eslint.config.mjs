// Lint: the recommended JavaScript and TypeScript rules, Pulumi's rules against Outputs in
// template literals (they need type information, hence the project service), and the layers of
// docs/architecture.md as import restrictions per folder.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

// The layers (docs/architecture.md). Import sources are matched as written (relative paths), so
// each folder lists what it may reach. ESLint keeps only the last matching block's options for a
// rule: a more specific block comes later and repeats the general list.
const ARCH = "see docs/architecture.md";
// sdk/model: the one service model of issue 12, pure when it lands.
const PURE_SDK = "(spec|model|config|manifests|acl|types)/|credentials/(probe|sentinel)-password$";
const engineDependencies = {
    regex: "^(iovalkey|@kubernetes/client-node)(/|$)",
    message: `the live-node engine's clients belong to provider/ (${ARCH})`,
};
const ownPackage = {
    regex: "^pulumi-valkey(/|$)",
    message: `import the module, not the package by name; only a dynamic provider's method require()s it (${ARCH})`,
};
/** sdk/<folder>/<file> leaving sdk/: provider/ is reached only by require() inside a dynamic provider's method. */
const leaveSdk = { regex: "^\\.\\./\\.\\.(/|$)", message: `sdk/ never imports provider/ or anything outside sdk/ (${ARCH})` };
const pureSdk = [
    leaveSdk,
    ownPackage,
    engineDependencies,
    {
        regex: `^\\.\\.(/(?!${PURE_SDK})|$)`,
        message: `the pure layer imports only the pure layer: sdk/{spec,model,config,manifests,acl,types} and the derived secrets of sdk/credentials (${ARCH})`,
    },
    { regex: "^@pulumi/", allowTypeImports: true, message: `the pure layer loads no Pulumi runtime; \`import type\` is fine (${ARCH})` },
];
const engine = [
    ownPackage,
    { regex: "^@pulumi/", message: `provider/ runs without Pulumi: the Pulumi classes live in sdk/resources (${ARCH})` },
    {
        regex: `(^|/)sdk(/(?!${PURE_SDK})|$)`,
        message: `provider/ imports only the sdk's pure layer: sdk/{spec,model,config,manifests,acl,types} and the derived secrets of sdk/credentials (${ARCH})`,
    },
];
const restrict = (files, patterns) => ({ files, rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns }] } });
const layerRules = [
    restrict(["sdk/*.ts"], [{ ...leaveSdk, regex: "^\\.\\.(/|$)" }, ownPackage, engineDependencies]),
    restrict(["sdk/components/**/*.ts"], [leaveSdk, ownPackage, engineDependencies]),
    restrict(
        ["sdk/resources/**/*.ts", "sdk/credentials/**/*.ts"],
        [
            leaveSdk,
            ownPackage,
            engineDependencies,
            { regex: "^\\.\\./components(/|$)", message: `components build on credentials and resources, not the reverse (${ARCH})` },
        ],
    ),
    restrict(["sdk/{spec,model,config,manifests,acl,types}/**/*.ts", "sdk/credentials/probe-password.ts", "sdk/credentials/sentinel-password.ts"], pureSdk),
    restrict(["provider/**/*.ts"], engine),
    restrict(
        ["provider/{reconcile,schedule}/**/*.ts"],
        [
            ...engine,
            engineDependencies,
            {
                regex: `^\\.\\.(/(?!reconcile/|schedule/|\\.\\./sdk/)|$)`,
                message: `planning is pure: provider/reconcile and provider/schedule import no live-node code (${ARCH})`,
            },
            {
                regex: "^(node:)?(net|tls|dgram|dns|child_process|http|https|http2|fs|fs/promises)$",
                message: `planning is pure: no network, process or file I/O in provider/reconcile and provider/schedule (${ARCH})`,
            },
        ],
    ),
];

export default tseslint.config(
    { ignores: ["bin/**", "node_modules/**", "scripts/**", "plugins/**", ".e2e-work/**", ".pulumi-state/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // Validators match control characters on purpose, to refuse them.
            "no-control-regex": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // Pulumi's mocks hand back untyped resource state.
        files: ["tests/helpers/mocks.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    ...layerRules,
);
