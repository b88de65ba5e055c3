export { accountWorkflow } from './account';
export { sweeperWorkflow } from './sweeper';
