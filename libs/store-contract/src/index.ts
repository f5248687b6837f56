export { describeStoreContract, type StoreFactory, type StoreUnderTest } from './store-contract';
export { makeDelivery, makeEvent, makeExecution, makeLog, ts } from './fixtures';
export { testId } from './test-ids';
