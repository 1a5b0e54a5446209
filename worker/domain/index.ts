// The domain's public surface: pure rules, no I/O.
export * from "./content.ts";
export * from "./lifecycle.ts";
export * from "./duration.ts";
export * from "./roles.ts";
export * from "./audit-chain.ts";
export * from "./targeting.ts";
export * from "./inform.ts";
export * from "./statistics.ts";
export * from "./signoff-binding.ts";
export * from "./abroad.ts";
export * from "./kinds.ts";
export * from "./tips.ts";
export * from "./social.ts";
export * from "./case.ts";
export * from "./file.ts";
export * from "./broadcast.ts";
