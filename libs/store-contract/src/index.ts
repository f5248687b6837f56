export { describeStoreContract, type StoreFactory, type StoreUnderTest } from './store-contract';
export { makeDelivery, makeEvent, makeExecution, makeLog, makePending, makeSeries, ts } from './fixtures';
export { testId, testIdAt } from './test-ids';
