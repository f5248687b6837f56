/** Injection token of the runbook lifecycle use-cases (explicit: the bundle has no type metadata). */
export const LIFECYCLE = Symbol('RunbookLifecycle');
/** Injection token of the ProjectHub (projects: create, sync, webhook signatures). */
export const PROJECTS = Symbol('ProjectHub');
