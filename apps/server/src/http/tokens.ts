/** Injection tokens (explicit, so DI needs no emitted type metadata). */
export const WOLFE = Symbol('Wolfe');
export const CONFIG = Symbol('WolfeConfig');
export const ADMIN_TOKEN = Symbol('AdminToken');
export const INTAKE_TOKEN = Symbol('IntakeToken');
export const LOGGER = Symbol('Logger');
