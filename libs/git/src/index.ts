export {
  RunbookRepository,
  MAX_FILE_BYTES,
  DEFAULT_IDENTITY,
  isValidBranchName,
  isValidRepoPath,
  type Identity,
  type OpenRepositoryOptions,
  type FileChange,
  type CommitFilesOptions,
  type RepositoryWarning,
  type RepositoryWarningKind,
  type TreeSnapshot,
} from './runbook-repository';
export { StaleHeadError, RefNotFoundError, InvalidArgumentError } from './errors';
