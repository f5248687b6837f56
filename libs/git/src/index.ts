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
  type LogOptions,
  type DiffOptions,
  type ReadTreeOptions,
  type FastForwardOutcome,
  type PushResult,
} from './runbook-repository';
export { type CommitInfo, type Trailer, type DiffResult, type DiffFile, type DiffFileStatus, parseTrailerLines } from './history';
export { type RemoteAuth, type RemoteSpec, redactUrl, assertRemoteUrl } from './remote';
export { StaleHeadError, RefNotFoundError, InvalidArgumentError, RemoteError, RepositoryLockedError } from './errors';
