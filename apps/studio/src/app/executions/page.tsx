// `/executions/` is an alias of `/` (the executions list).
export { default, metadata } from '../page';
