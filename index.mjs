// ESM entry: the same module instance as `require('@xmcp-dev/workos')`, so sessions and the client
// are shared however the package is loaded.
import cjs from './index.js'

export const {
  workosProvider,
  getSession,
  getUser,
  getClient,
  exchangeToken,
  requireScopes,
  hasScopes,
  requirePermission,
  hasPermission,
  requireRole,
  hasRole,
  ForbiddenError,
  TokenExchangeError,
  WorkOS,
  BadRequestException,
  GenericServerException,
  NoApiKeyProvidedException,
  NotFoundException,
  OauthException,
  RateLimitExceededException,
  SignatureVerificationException,
  UnauthorizedException,
  UnprocessableEntityException,
} = cjs
export default cjs
