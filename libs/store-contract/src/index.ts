export { describeStoreContract, type StoreFactory, type StoreUnderTest } from './store-contract';
export { makeAttachment, makeDelivery, makeEvent, makeExecution, makeLog, makePending, makeProject, makeSeries, makeStep, ts } from './fixtures';
export { testId, testIdAt } from './test-ids';
