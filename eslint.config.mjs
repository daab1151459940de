// Lint: the recommended JavaScript and TypeScript rules, plus Pulumi's rules against Outputs in
// template literals (they need type information, hence the project service).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

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
);
