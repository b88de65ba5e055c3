export { accountWorkflow } from './account';
export { sweeperWorkflow } from './sweeper';
export { rescoreWorkflow } from './rescore';
export { importWorkflow } from './import';
export { segmentRefreshWorkflow } from './segments';
export { buyingGroupsWorkflow } from './buying-groups';
export { journeyWorkflow } from './journey';
export { journeyJobWorkflow } from './journey-job';
