// Public types of @xmcp-dev/workos 2.x. Hand-written, except the options of `workosProvider()`:
// those are generated from the Rust structs that read them (src/options.rs) into binding.d.ts and
// re-exported here, so the declared options are the ones the addon reads. Names and shapes follow
// the 1.x package.
import type { RequestHandler, Router } from 'express'
import type { ProviderOptions } from './binding'

/** Options of `workosProvider()` (generated from src/options.rs). */
export type config = ProviderOptions
export type { ConnectOptions, JwksOptions, MetadataOptions, PermissionCacheOptions, TokenCacheOptions, ToolPolicy } from './binding'

/** The verified session of the current request. */
export interface Session {
  /** WorkOS user id (`sub`). */
  userId: string
  /** AuthKit session id (`sid`); `undefined` for a machine token. */
  sessionId: string
  /** Organization id (`org_id`), when the session has one. */
  organizationId?: string
  role?: string
  permissions?: string[]
  /** Token expiry (`exp`). */
  expiresAt: Date
  /** Token issue time (`iat`); an Invalid Date when the token has no `iat`. */
  issuedAt: Date
  /** The raw verified JWT payload. */
  claims: JWTClaims
  /** The OAuth client (the MCP client) the token was issued to (`client_id`). */
  clientId?: string
  /** The granted scopes (`scope`, split on spaces); empty when the token has none. */
  scopes: string[]
  /** `roles`, when the token has them. */
  roles?: string[]
  /** `entitlements`, when the token has them. */
  entitlements?: string[]
  /** `feature_flags`, when the token has them. */
  featureFlags?: string[]
  /** `user`, or `machine` for a WorkOS Connect M2M application's token (then `userId` is its client id). */
  kind: 'user' | 'machine'
  /** `act`: who acts for the user (an application after a token exchange, or an impersonating admin). */
  actor?: { sub?: string; act?: unknown; [member: string]: unknown }
  /** `act`, when it names a person rather than an application (an admin impersonating the user). */
  impersonator?: { sub?: string; [member: string]: unknown }
}

export interface JWTClaims {
  sub: string
  sid: string
  iss: string
  org_id?: string
  role?: string
  permissions?: string[]
  exp: number
  iat?: number
  aud?: string | string[]
  client_id?: string
  scope?: string
  [claim: string]: unknown
}

/** RFC 9728 protected-resource metadata, as served by the router. */
export interface OAuthProtectedResourceMetadata {
  resource: string
  authorization_servers: string[]
  bearer_methods_supported: string[]
  resource_documentation?: string
  scopes_supported?: string[]
}

/** RFC 8414 authorization-server metadata (AuthKit's document, or the static fallback). */
export interface OAuthAuthorizationServerMetadata {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  jwks_uri: string
  registration_endpoint?: string
  response_types_supported: string[]
  grant_types_supported: string[]
  code_challenge_methods_supported: string[]
  token_endpoint_auth_methods_supported: string[]
  scopes_supported: string[]
  [member: string]: unknown
}

// ---------------------------------------------------------------------------------------------------
// The WorkOS client (`getClient()`, `new WorkOS()`): the `@workos-inc/node` 7.82 surface. Results are
// plain objects with the SDK's camelCase keys; timestamps stay ISO-8601 strings (vault and Pipes give
// `Date`s, as 7.x does). A key the API did not send is present with the value `undefined`, as in 7.x
// (hence the `?:` members).

export interface User {
  object: 'user'
  id: string
  email: string
  emailVerified: boolean
  firstName: string | null
  profilePictureUrl: string | null
  lastName: string | null
  lastSignInAt: string | null
  locale: string | null
  createdAt: string
  updatedAt: string
  externalId: string | null
  metadata: Record<string, string>
}
export interface RoleResponse {
  slug: string
}
export interface OrganizationMembership {
  object: 'organization_membership'
  id: string
  userId: string
  organizationId: string
  organizationName: string
  status: 'active' | 'inactive' | 'pending'
  createdAt: string
  updatedAt: string
  role: RoleResponse
  /** Present only when the API sent it. */
  roles?: RoleResponse[]
}
export interface Impersonator {
  email: string
  reason: string | null
}
/** A user's AuthKit session (`Session` in @workos-inc/node; renamed here, `Session` is the verified request's). */
export interface UserSession {
  object: 'session'
  id: string
  userId: string
  ipAddress: string | null
  userAgent: string | null
  organizationId?: string
  impersonator?: Impersonator
  authMethod: 'external_auth' | 'impersonation' | 'magic_code' | 'migrated_session' | 'oauth' | 'passkey' | 'password' | 'sso' | 'unknown'
  status: 'active' | 'expired' | 'revoked'
  expiresAt: string
  endedAt: string | null
  createdAt: string
  updatedAt: string
}
export interface Identity {
  idpId: string
  type: 'OAuth'
  provider: string
}
export interface Totp {
  issuer: string
  user: string
}
export interface TotpWithSecrets extends Totp {
  qrCode: string
  secret: string
  uri: string
}
/** An authentication factor of a user (`userManagement`); `mfa`'s carry `sms` or `totp` only when the API sent them. */
export interface Factor<T = Totp> {
  object: 'authentication_factor'
  id: string
  createdAt: string
  updatedAt: string
  type: 'totp'
  totp: T
  userId: string
}
export interface MfaFactor<T = Totp> {
  object: 'authentication_factor'
  id: string
  createdAt: string
  updatedAt: string
  type: 'generic_otp' | 'sms' | 'totp'
  sms?: { phoneNumber: string }
  totp?: T
}
export interface Challenge {
  object: 'authentication_challenge'
  id: string
  createdAt: string
  updatedAt: string
  expiresAt?: string
  code?: string
  authenticationFactorId: string
}
export interface FeatureFlag {
  object: 'feature_flag'
  id: string
  name: string
  slug: string
  description?: string
  tags: string[]
  enabled: boolean
  defaultValue: boolean
  createdAt: string
  updatedAt: string
}
/** An email verification or magic auth code. */
export interface OneTimeCode {
  object: 'email_verification' | 'magic_auth'
  id: string
  userId: string
  email: string
  expiresAt: string
  code: string
  createdAt: string
  updatedAt: string
}
export interface PasswordReset {
  object: 'password_reset'
  id: string
  userId: string
  email: string
  passwordResetToken: string
  passwordResetUrl: string
  expiresAt: string
  createdAt: string
}
export interface OauthTokens {
  accessToken: string
  refreshToken: string
  expiresAt: number
  scopes: string[]
}
export interface AuthenticationResponse {
  user: User
  organizationId?: string
  accessToken: string
  refreshToken: string
  impersonator?: Impersonator
  authenticationMethod?: string
  oauthTokens?: OauthTokens
  /** With `session: { sealSession: true, cookiePassword }`: the session sealed for a cookie. */
  sealedSession?: string
}
export interface Invitation {
  object: 'invitation'
  id: string
  email: string
  state: 'pending' | 'accepted' | 'expired' | 'revoked'
  acceptedAt: string | null
  revokedAt: string | null
  expiresAt: string
  organizationId: string | null
  inviterUserId: string | null
  acceptedUserId: string | null
  token: string
  acceptInvitationUrl: string
  createdAt: string
  updatedAt: string
}
export interface OrganizationDomain {
  object: 'organization_domain'
  id: string
  domain: string
  organizationId: string
  state: 'verified' | 'pending' | 'failed' | 'legacy_verified'
  verificationToken?: string
  verificationStrategy: 'dns' | 'manual'
  createdAt: string
  updatedAt: string
}
export interface Organization {
  object: 'organization'
  id: string
  name: string
  allowProfilesOutsideOrganization: boolean
  domains: OrganizationDomain[]
  /** Present only when the API sent it. */
  stripeCustomerId?: string
  createdAt: string
  updatedAt: string
  externalId: string | null
  metadata: Record<string, string>
}
export interface Role {
  object: 'role'
  id: string
  name: string
  slug: string
  description: string | null
  permissions: string[]
  type: 'EnvironmentRole' | 'OrganizationRole'
  createdAt: string
  updatedAt: string
}
export interface ApiKey {
  object: 'api_key'
  id: string
  owner: { type: 'organization'; id: string }
  name: string
  obfuscatedValue: string
  lastUsedAt: string | null
  permissions: string[]
  createdAt: string
  updatedAt: string
}
/** A new API key: its `value` is shown this once. */
export interface CreatedApiKey extends ApiKey {
  value: string
}
export interface Directory {
  object: 'directory'
  id: string
  domain: string
  externalKey: string
  name: string
  organizationId?: string
  /** The wire `linked` / `unlinked` read as `active` / `inactive`. */
  state: 'active' | 'deleting' | 'inactive' | 'invalid_credentials' | 'validating'
  type: string
  createdAt: string
  updatedAt: string
}
export interface DirectoryGroup {
  id: string
  idpId: string
  directoryId: string
  organizationId: string | null
  name: string
  createdAt: string
  updatedAt: string
  rawAttributes: any
}
export interface DirectoryUser {
  object: 'directory_user'
  id: string
  directoryId: string
  organizationId: string | null
  rawAttributes: any
  customAttributes: Record<string, unknown>
  idpId: string
  firstName: string | null
  email: string | null
  lastName: string | null
  state: 'active' | 'inactive'
  role?: RoleResponse
  roles?: RoleResponse[]
  createdAt: string
  updatedAt: string
  /** @deprecated kept by 7.x, as `username` and `jobTitle` */
  emails: { type?: string; value?: string; primary?: boolean }[]
  username: string | null
  jobTitle: string | null
}
export interface DirectoryUserWithGroups extends DirectoryUser {
  groups: DirectoryGroup[]
}
export interface AuditLogExport {
  object: 'audit_log_export'
  id: string
  state: 'pending' | 'ready' | 'error'
  url?: string
  createdAt: string
  updatedAt: string
}
export interface AuditLogSchema {
  object: 'audit_log_schema'
  version: number
  targets: { type: string; metadata?: Record<string, string> }[]
  actor: { metadata: Record<string, string> }
  metadata?: Record<string, string>
  createdAt: string
}
export interface Connection {
  object: 'connection'
  id: string
  organizationId?: string
  name: string
  type: string
  state: 'draft' | 'active' | 'inactive' | 'validating'
  /** @deprecated the same as `type`, kept by 7.x */
  connectionType: string
  domains: { object: 'connection_domain'; id: string; domain: string }[]
  createdAt: string
  updatedAt: string
}
export interface Profile {
  id: string
  idpId: string
  organizationId?: string
  connectionId: string
  connectionType: string
  email: string
  firstName?: string
  lastName?: string
  role?: RoleResponse
  roles?: RoleResponse[]
  groups?: string[]
  customAttributes?: Record<string, unknown>
  rawAttributes?: Record<string, any>
}
export interface ProfileAndToken {
  accessToken: string
  profile: Profile
  oauthTokens?: OauthTokens
}
/** An event (`events.listEvents`, `webhooks.constructEvent`): `data` as 7.x reads that event; an event type 7.x does not know reads as `undefined`. */
export interface Event {
  id: string
  createdAt: string
  context?: Record<string, unknown>
  event: string
  data: any
}
export interface PasswordlessSession {
  id: string
  email: string
  expiresAt: string
  link: string
  object: 'passwordless_session'
}
export interface PipesAccessToken {
  object: 'access_token'
  accessToken: string
  expiresAt: Date | null
  scopes: string[]
  missingScopes: string[]
}
export type GetAccessTokenResponse =
  { active: true; accessToken: PipesAccessToken } | { active: false; error: 'needs_reauthorization' | 'not_installed' }
export interface VaultObjectMetadata {
  context: Record<string, unknown>
  environmentId: string
  id: string
  keyId: string
  updatedAt: Date
  updatedBy: { id: string; name: string }
  versionId: string
}
export interface VaultObject {
  id: string
  name: string
  value?: string
  metadata: VaultObjectMetadata
}
export interface VaultObjectDigest {
  id: string
  name: string
  updatedAt: Date
}
export interface VaultObjectVersion {
  createdAt: Date
  currentVersion: boolean
  id: string
}
export interface DataKey {
  key: string
  id: string
}
export interface DataKeyPair {
  context: Record<string, unknown>
  dataKey: DataKey
  encryptedKeys: string
}
export interface FgaResource {
  resourceType: string
  resourceId: string
  meta?: Record<string, any>
}
export interface FgaSubject {
  resourceType: string
  resourceId: string
  relation?: string
}
export interface Warrant {
  resourceType: string
  resourceId: string
  relation: string
  subject: FgaSubject
  policy?: string
}
export interface QueryResult {
  resourceType: string
  resourceId: string
  relation: string
  warrant: Omit<Warrant, 'policy'>
  isImplicit: boolean
  meta?: Record<string, any>
}
export interface FgaWarning {
  code: string
  message: string
  keys?: string[]
}
/** `fga.check`'s result (7.x's class). */
export declare class CheckResult {
  result: 'authorized' | 'not_authorized'
  isImplicit: boolean
  warrantToken: string
  debugInfo?: { processingTime: number; decisionTree: unknown }
  warnings?: FgaWarning[]
  isAuthorized(): boolean
}
export interface ActionContext {
  id: string
  object: 'user_registration_action_context' | 'authentication_action_context'
  ipAddress?: string
  userAgent?: string
  deviceFingerprint?: string
  [member: string]: unknown
}
export interface ActionResponse {
  object: 'authentication_action_response' | 'user_registration_action_response'
  payload: { timestamp: number; verdict: 'Allow' | 'Deny'; error_message?: string }
  signature: string
}

export interface ListMetadata {
  before?: string | null
  after?: string | null
}
export interface List<T> {
  object: 'list'
  data: T[]
  listMetadata: ListMetadata
}
/**
 * What list methods resolve to (the shape of the SDK's class of the same name): the first page, and
 * `autoPagination()` for every item. `JSON.stringify` writes `{ list, object, options }` as 7.x does.
 */
export interface AutoPaginatable<T> {
  readonly object: 'list'
  /** The options of the first call, serialized as sent (snake_case); `{}` when none were given. */
  readonly options: Record<string, unknown>
  readonly data: T[]
  readonly listMetadata: ListMetadata
  /** Every item: the first page, then pages of 100 (350 ms apart); only the first page when `limit` was given. */
  autoPagination(): Promise<T[]>
  /** FGA's `query` only. */
  readonly warnings?: FgaWarning[]
}

export interface PaginationOptions {
  limit?: number
  before?: string
  after?: string
  order?: 'asc' | 'desc'
}
type Ids<K extends string> = { [key in K]: string }
export interface ListUsersOptions extends PaginationOptions {
  email?: string
  organizationId?: string
}
export interface CreateUserOptions {
  email: string
  password?: string
  passwordHash?: string
  passwordHashType?: 'bcrypt' | 'firebase-scrypt' | 'ssha' | 'scrypt' | 'pbkdf2' | 'argon2'
  firstName?: string
  lastName?: string
  emailVerified?: boolean
  externalId?: string
  metadata?: Record<string, string>
}
export interface UpdateUserOptions extends Partial<Omit<CreateUserOptions, 'metadata'>> {
  userId: string
  locale?: string
  metadata?: Record<string, string | null>
}
export interface ListOrganizationMembershipsOptions extends PaginationOptions {
  organizationId?: string
  userId?: string
  statuses?: ('active' | 'inactive' | 'pending')[]
}
export interface AuthorizationURLOptions {
  clientId: string
  redirectUri: string
  connectionId?: string
  organizationId?: string
  provider?: string
  codeChallenge?: string
  codeChallengeMethod?: 'S256'
  /** @deprecated */
  context?: string
  domainHint?: string
  loginHint?: string
  prompt?: string
  providerQueryParams?: Record<string, string | boolean | number>
  providerScopes?: string[]
  screenHint?: 'sign-up' | 'sign-in'
  state?: string
}
/** What every `authenticateWith*` takes besides its grant's own members. */
export interface AuthenticateOptions {
  clientId: string
  ipAddress?: string
  userAgent?: string
  session?: { sealSession?: boolean; cookiePassword?: string }
}
/** A sealed session cookie and its password (`WORKOS_COOKIE_PASSWORD` by default). */
export interface SessionCookieOptions {
  sessionData: string
  cookiePassword?: string
}
export type AuthenticateWithSessionCookieResponse =
  | { authenticated: false; reason: 'invalid_jwt' | 'invalid_session_cookie' | 'no_session_cookie_provided' }
  | {
      authenticated: true
      sessionId: string
      organizationId?: string
      role?: string
      roles?: string[]
      permissions?: string[]
      entitlements?: string[]
      featureFlags?: string[]
      user: User
      accessToken: string
      authenticationMethod?: string
      impersonator?: Impersonator
    }
export type RefreshSessionResponse =
  | {
      authenticated: false
      reason: 'invalid_grant' | 'mfa_enrollment' | 'sso_required' | 'invalid_session_cookie' | 'no_session_cookie_provided'
    }
  | { authenticated: true; sealedSession: string; session?: AuthenticationResponse; [claim: string]: unknown }
/** `loadSealedSession()`'s session (7.x's `CookieSession`). Its `cookiePassword` is readable but shows in no dump. */
export declare class CookieSession {
  readonly cookiePassword: string
  sessionData: string
  authenticate(): Promise<AuthenticateWithSessionCookieResponse>
  refresh(options?: { cookiePassword?: string; organizationId?: string }): Promise<RefreshSessionResponse>
  getLogoutUrl(options?: { returnTo?: string }): Promise<string>
  isValidJwt(accessToken: string): Promise<boolean>
}
export interface DomainData {
  domain: string
  state: 'verified' | 'pending'
}
export interface CreateOrganizationOptions {
  name: string
  domainData?: DomainData[]
  externalId?: string | null
  metadata?: Record<string, string>
  /** @deprecated */
  allowProfilesOutsideOrganization?: boolean
  /** @deprecated use domainData */
  domains?: string[]
}
export interface UpdateOrganizationOptions extends Partial<CreateOrganizationOptions> {
  organization: string
  stripeCustomerId?: string | null
}
export interface AuditLogActor {
  id: string
  type: string
  name?: string
  metadata?: Record<string, string | number | boolean>
}
export interface CreateAuditLogEventOptions {
  action: string
  version?: number
  occurredAt: Date
  actor: AuditLogActor
  targets: AuditLogActor[]
  context: { location: string; userAgent?: string }
  metadata?: Record<string, string | number | boolean>
}
export interface AuditLogExportOptions {
  organizationId: string
  rangeStart: Date
  rangeEnd: Date
  actions?: string[]
  actorNames?: string[]
  actorIds?: string[]
  targets?: string[]
  /** @deprecated use actorNames */
  actors?: string[]
}
type SchemaMetadata = Record<string, 'string' | 'boolean' | 'number'>
export interface SSOAuthorizationURLOptions {
  clientId: string
  redirectUri: string
  connection?: string
  organization?: string
  provider?: string
  domainHint?: string
  loginHint?: string
  providerQueryParams?: Record<string, string | boolean | number>
  providerScopes?: string[]
  state?: string
  /** @deprecated use organization */
  domain?: string
}
/** An FGA resource or subject: `{ resourceType, resourceId }`. */
export interface FgaRef {
  resourceType: string
  resourceId?: string
}
export interface FgaCheck {
  resource: FgaRef
  relation: string
  subject: FgaRef
  context?: Record<string, unknown>
}
export interface WriteWarrantOptions {
  op?: 'create' | 'delete'
  resource: FgaRef
  relation: string
  subject: FgaRef
  policy?: string
}
type WarrantTokenOption = { warrantToken?: string }
type RequestOptions = { idempotencyKey?: string }
type SignedPayloadOptions<P> = { payload: P; sigHeader: string; secret: string; tolerance?: number }

export interface UserManagement {
  /** A key set stand-in when a `clientId` was given (7.x: jose's RemoteJWKSet); see `isValidJwt`. */
  readonly jwks: ((...args: unknown[]) => never) | undefined
  readonly clientId: string | undefined
  getUser(userId: string): Promise<User>
  getUserByExternalId(externalId: string): Promise<User>
  listUsers(options?: ListUsersOptions): Promise<AutoPaginatable<User>>
  createUser(payload: CreateUserOptions): Promise<User>
  updateUser(payload: UpdateUserOptions): Promise<User>
  deleteUser(userId: string): Promise<void>
  authenticateWithPassword(
    payload: AuthenticateOptions & { email: string; password: string; invitationToken?: string },
  ): Promise<AuthenticationResponse>
  authenticateWithCode(
    payload: AuthenticateOptions & { code: string; codeVerifier?: string; invitationToken?: string },
  ): Promise<AuthenticationResponse>
  /** PKCE: no client secret is sent. */
  authenticateWithCodeAndVerifier(
    payload: AuthenticateOptions & { code: string; codeVerifier: string; invitationToken?: string },
  ): Promise<AuthenticationResponse>
  authenticateWithMagicAuth(
    payload: AuthenticateOptions & { code: string; email: string; invitationToken?: string; linkAuthorizationCode?: string },
  ): Promise<AuthenticationResponse>
  authenticateWithRefreshToken(
    payload: AuthenticateOptions & { refreshToken: string; organizationId?: string },
  ): Promise<AuthenticationResponse>
  authenticateWithTotp(
    payload: AuthenticateOptions & { code: string; authenticationChallengeId: string; pendingAuthenticationToken: string },
  ): Promise<AuthenticationResponse>
  authenticateWithEmailVerification(
    payload: AuthenticateOptions & { code: string; pendingAuthenticationToken: string },
  ): Promise<AuthenticationResponse>
  authenticateWithOrganizationSelection(
    payload: AuthenticateOptions & { organizationId: string; pendingAuthenticationToken: string },
  ): Promise<AuthenticationResponse>
  authenticateWithSessionCookie(options: SessionCookieOptions): Promise<AuthenticateWithSessionCookieResponse>
  /** Whether the access token verifies against `${baseURL}/sso/jwks/${clientId}` (natively). */
  isValidJwt(accessToken: string): Promise<boolean>
  /** @deprecated use loadSealedSession(...).refresh() */
  refreshAndSealSessionData(options: Partial<SessionCookieOptions> & { organizationId?: string }): Promise<RefreshSessionResponse>
  prepareAuthenticationResponse(options: {
    authenticationResponse: AuthenticationResponse
    session?: AuthenticateOptions['session']
  }): Promise<AuthenticationResponse>
  sealSessionDataFromAuthenticationResponse(options: {
    authenticationResponse: AuthenticationResponse
    cookiePassword?: string
  }): Promise<string>
  getSessionFromCookie(options: Partial<SessionCookieOptions>): Promise<Record<string, unknown> | undefined>
  loadSealedSession(options: { sessionData: string; cookiePassword: string }): CookieSession
  getEmailVerification(emailVerificationId: string): Promise<OneTimeCode>
  sendVerificationEmail(options: Ids<'userId'>): Promise<{ user: User }>
  verifyEmail(options: Ids<'userId' | 'code'>): Promise<{ user: User }>
  getMagicAuth(magicAuthId: string): Promise<OneTimeCode>
  createMagicAuth(options: { email: string; invitationToken?: string }): Promise<OneTimeCode>
  /** @deprecated use createMagicAuth */
  sendMagicAuthCode(options: { email: string }): Promise<void>
  getPasswordReset(passwordResetId: string): Promise<PasswordReset>
  createPasswordReset(options: { email: string }): Promise<PasswordReset>
  /** @deprecated use createPasswordReset */
  sendPasswordResetEmail(payload: { email: string; passwordResetUrl: string }): Promise<void>
  resetPassword(payload: { token: string; newPassword: string }): Promise<{ user: User }>
  enrollAuthFactor(payload: {
    userId: string
    type: 'totp'
    totpIssuer?: string
    totpUser?: string
    totpSecret?: string
  }): Promise<{ authenticationFactor: Factor<TotpWithSecrets>; authenticationChallenge: Challenge }>
  listAuthFactors(options: { userId: string } & PaginationOptions): Promise<AutoPaginatable<Factor>>
  listUserFeatureFlags(options: { userId: string } & PaginationOptions): Promise<AutoPaginatable<FeatureFlag>>
  listSessions(userId: string, options?: PaginationOptions): Promise<AutoPaginatable<UserSession>>
  getUserIdentities(userId: string): Promise<Identity[]>
  getOrganizationMembership(organizationMembershipId: string): Promise<OrganizationMembership>
  listOrganizationMemberships(options?: ListOrganizationMembershipsOptions): Promise<AutoPaginatable<OrganizationMembership>>
  createOrganizationMembership(options: {
    organizationId: string
    userId: string
    roleSlug?: string
    roleSlugs?: string[]
  }): Promise<OrganizationMembership>
  updateOrganizationMembership(
    organizationMembershipId: string,
    options: { roleSlug?: string; roleSlugs?: string[] },
  ): Promise<OrganizationMembership>
  deleteOrganizationMembership(organizationMembershipId: string): Promise<void>
  deactivateOrganizationMembership(organizationMembershipId: string): Promise<OrganizationMembership>
  reactivateOrganizationMembership(organizationMembershipId: string): Promise<OrganizationMembership>
  getInvitation(invitationId: string): Promise<Invitation>
  findInvitationByToken(invitationToken: string): Promise<Invitation>
  listInvitations(options?: PaginationOptions & { organizationId?: string; email?: string }): Promise<AutoPaginatable<Invitation>>
  sendInvitation(payload: {
    email: string
    organizationId?: string
    expiresInDays?: number
    inviterUserId?: string
    roleSlug?: string
  }): Promise<Invitation>
  acceptInvitation(invitationId: string): Promise<Invitation>
  revokeInvitation(invitationId: string): Promise<Invitation>
  resendInvitation(invitationId: string): Promise<Invitation>
  revokeSession(payload: Ids<'sessionId'>): Promise<void>
  /** The AuthKit authorization URL (synchronous). */
  getAuthorizationUrl(options: AuthorizationURLOptions): string
  /** The logout URL of a session (synchronous). */
  getLogoutUrl(options: { sessionId: string; returnTo?: string }): string
  /** @deprecated use loadSealedSession(...).getLogoutUrl() */
  getLogoutUrlFromSessionCookie(options: SessionCookieOptions): Promise<string>
  /** `${baseURL}/sso/jwks/${clientId}` (synchronous). */
  getJwksUrl(clientId: string): string
}

export interface Organizations {
  getOrganization(id: string): Promise<Organization>
  getOrganizationByExternalId(externalId: string): Promise<Organization>
  listOrganizations(options?: PaginationOptions & { domains?: string[] }): Promise<AutoPaginatable<Organization>>
  createOrganization(payload: CreateOrganizationOptions, requestOptions?: RequestOptions): Promise<Organization>
  updateOrganization(options: UpdateOrganizationOptions): Promise<Organization>
  deleteOrganization(id: string): Promise<void>
  listOrganizationRoles(options: Ids<'organizationId'>): Promise<{ object: 'list'; data: Role[] }>
  listOrganizationFeatureFlags(options: { organizationId: string } & PaginationOptions): Promise<AutoPaginatable<FeatureFlag>>
  listOrganizationApiKeys(options: { organizationId: string } & PaginationOptions): Promise<AutoPaginatable<ApiKey>>
  createOrganizationApiKey(
    options: { organizationId: string; name: string; permissions?: string[] },
    requestOptions?: RequestOptions,
  ): Promise<CreatedApiKey>
}

export interface DirectorySync {
  listDirectories(options?: PaginationOptions & { organizationId?: string; search?: string }): Promise<AutoPaginatable<Directory>>
  getDirectory(id: string): Promise<Directory>
  deleteDirectory(id: string): Promise<void>
  listUsers(options: PaginationOptions & { directory?: string; group?: string }): Promise<AutoPaginatable<DirectoryUserWithGroups>>
  getUser(user: string): Promise<DirectoryUserWithGroups>
  listGroups(options: PaginationOptions & { directory?: string; user?: string }): Promise<AutoPaginatable<DirectoryGroup>>
  getGroup(group: string): Promise<DirectoryGroup>
}

export interface AuditLogs {
  /** `idempotencyKey` defaults to `workos-node-<uuid>`. */
  createEvent(organization: string, event: CreateAuditLogEventOptions, options?: RequestOptions): Promise<void>
  createExport(options: AuditLogExportOptions): Promise<AuditLogExport>
  getExport(auditLogExportId: string): Promise<AuditLogExport>
  createSchema(
    schema: {
      action: string
      actor?: { metadata: SchemaMetadata }
      targets: { type: string; metadata?: SchemaMetadata }[]
      metadata?: SchemaMetadata
    },
    options?: RequestOptions,
  ): Promise<AuditLogSchema>
}

export interface SSO {
  listConnections(
    options?: PaginationOptions & { connectionType?: string; domain?: string; organizationId?: string },
  ): Promise<AutoPaginatable<Connection>>
  getConnection(id: string): Promise<Connection>
  deleteConnection(id: string): Promise<void>
  /** The SSO authorization URL (synchronous). */
  getAuthorizationUrl(options: SSOAuthorizationURLOptions): string
  getProfileAndToken(options: Ids<'code' | 'clientId'>): Promise<ProfileAndToken>
  getProfile(options: Ids<'accessToken'>): Promise<Profile>
}

export interface ApiKeys {
  validateApiKey(payload: { value: string }): Promise<{ apiKey: ApiKey | null }>
  deleteApiKey(id: string): Promise<void>
}
export interface Events {
  listEvents(options: {
    events: string[]
    organizationId?: string
    rangeStart?: string
    rangeEnd?: string
    limit?: number
    after?: string
  }): Promise<List<Event | undefined>>
}
export interface FeatureFlags {
  listFeatureFlags(options?: PaginationOptions): Promise<AutoPaginatable<FeatureFlag>>
  getFeatureFlag(slug: string): Promise<FeatureFlag>
  enableFeatureFlag(slug: string): Promise<FeatureFlag>
  disableFeatureFlag(slug: string): Promise<FeatureFlag>
  addFlagTarget(options: Ids<'slug' | 'targetId'>): Promise<void>
  removeFlagTarget(options: Ids<'slug' | 'targetId'>): Promise<void>
}
/** Fine-grained authorization (7.x's `fga`; removed from the SDK in 9.x). */
export interface FGA {
  check(
    options: { op?: 'any_of' | 'all_of'; checks: FgaCheck[]; debug?: boolean },
    requestOptions?: WarrantTokenOption,
  ): Promise<CheckResult>
  checkBatch(options: { checks: FgaCheck[]; debug?: boolean }, requestOptions?: WarrantTokenOption): Promise<CheckResult[]>
  createResource(options: { resource: FgaRef; meta?: Record<string, any> }): Promise<FgaResource>
  getResource(resource: FgaRef): Promise<FgaResource>
  listResources(options?: PaginationOptions & { resourceType?: string; search?: string }): Promise<AutoPaginatable<FgaResource>>
  updateResource(options: { resource: FgaRef; meta?: Record<string, any> }): Promise<FgaResource>
  deleteResource(resource: FgaRef): Promise<void>
  batchWriteResources(
    options: { op: 'create'; resources: { resource: FgaRef; meta?: Record<string, any> }[] } | { op: 'delete'; resources: FgaRef[] },
  ): Promise<FgaResource[]>
  writeWarrant(options: WriteWarrantOptions): Promise<{ warrantToken: string }>
  batchWriteWarrants(options: WriteWarrantOptions[]): Promise<{ warrantToken: string }>
  listWarrants(
    options?: Partial<
      Record<'resourceType' | 'resourceId' | 'relation' | 'subjectType' | 'subjectId' | 'subjectRelation' | 'after', string>
    > & { limit?: number },
    requestOptions?: WarrantTokenOption,
  ): Promise<AutoPaginatable<Warrant>>
  query(
    options: PaginationOptions & { q: string; context?: Record<string, unknown> },
    requestOptions?: WarrantTokenOption,
  ): Promise<AutoPaginatable<QueryResult>>
}
/** Multi-factor authentication (7.x's `mfa`). */
export interface Mfa {
  deleteFactor(id: string): Promise<void>
  getFactor(id: string): Promise<MfaFactor>
  enrollFactor(
    options: { type: 'totp'; issuer: string; user: string } | { type: 'sms'; phoneNumber: string } | { type: 'generic_otp' },
  ): Promise<MfaFactor<TotpWithSecrets>>
  challengeFactor(options: { authenticationFactorId: string; smsTemplate?: string }): Promise<Challenge>
  /** @deprecated use verifyChallenge */
  verifyFactor(options: Ids<'authenticationChallengeId' | 'code'>): Promise<{ challenge: Challenge; valid: boolean }>
  verifyChallenge(options: Ids<'authenticationChallengeId' | 'code'>): Promise<{ challenge: Challenge; valid: boolean }>
}
export interface OrganizationDomains {
  get(id: string): Promise<OrganizationDomain>
  verify(id: string): Promise<OrganizationDomain>
  create(payload: Ids<'domain' | 'organizationId'>): Promise<OrganizationDomain>
  delete(id: string): Promise<void>
}
export interface Passwordless {
  createSession(options: {
    type: 'MagicLink'
    email: string
    redirectURI?: string
    state?: string
    connection?: string
    expiresIn?: number
  }): Promise<PasswordlessSession>
  /** The API's answer, as sent. */
  sendSession(sessionId: string): Promise<unknown>
}
export interface Pipes {
  getAccessToken(options: { provider: string; userId: string; organizationId?: string }): Promise<GetAccessTokenResponse>
}
export interface Portal {
  /** The API's answer, as sent (`{ link }`). */
  generateLink(options: {
    organization: string
    intent: 'sso' | 'dsync' | 'audit_logs' | 'log_streams' | 'domain_verification' | 'certificate_renewal'
    returnUrl?: string
    successUrl?: string
  }): Promise<{ link: string }>
}
export interface Widgets {
  getToken(payload: { organizationId: string; userId?: string; scopes?: string[] }): Promise<string>
}
/** Vault (`encrypt`/`decrypt` are local AES-GCM with a data key from the API; the key never reaches JavaScript). */
export interface Vault {
  decode(payload: string): { iv: Uint8Array; tag: Uint8Array; keys: string; ciphertext: Uint8Array }
  createObject(options: { name: string; value: string; context: Record<string, unknown> }): Promise<VaultObjectMetadata>
  listObjects(options?: { after?: string; limit?: number }): Promise<List<VaultObjectDigest>>
  listObjectVersions(options: Ids<'id'>): Promise<VaultObjectVersion[]>
  readObject(options: Ids<'id'>): Promise<VaultObject>
  readObjectByName(name: string): Promise<VaultObject>
  describeObject(options: Ids<'id'>): Promise<VaultObject>
  updateObject(options: { id: string; value: string; versionCheck?: string }): Promise<VaultObject>
  deleteObject(options: Ids<'id'>): Promise<void>
  createDataKey(options: { context: Record<string, unknown> }): Promise<DataKeyPair>
  decryptDataKey(options: { keys: string }): Promise<DataKey>
  encrypt(data: string, context: Record<string, unknown>, associatedData?: string): Promise<string>
  decrypt(encryptedData: string, associatedData?: string): Promise<string>
  /** @deprecated aliases of the `*Object` methods */
  createSecret: Vault['createObject']
  listSecrets: Vault['listObjects']
  listSecretVersions: Vault['listObjectVersions']
  readSecret: Vault['readObject']
  describeSecret: Vault['describeObject']
  updateSecret: Vault['updateObject']
  deleteSecret: Vault['deleteObject']
}
/** Webhook signatures (HMAC-SHA256, computed natively). */
export interface Webhooks {
  readonly computeSignature: (timestamp: number | string, payload: unknown, secret: string) => Promise<string>
  readonly verifyHeader: (options: SignedPayloadOptions<unknown>) => Promise<true>
  readonly getTimestampAndSignatureHash: (sigHeader: string) => [string, string]
  constructEvent(options: SignedPayloadOptions<unknown>): Promise<Event | undefined>
}
/** AuthKit Actions: signed requests and responses. */
export interface Actions {
  readonly computeSignature: Webhooks['computeSignature']
  readonly verifyHeader: Webhooks['verifyHeader']
  serializeType(type: 'authentication' | 'user_registration'): ActionResponse['object']
  signResponse(
    data: { type: 'authentication' | 'user_registration'; verdict: 'Allow' | 'Deny'; errorMessage?: string },
    secret: string,
  ): Promise<ActionResponse>
  constructAction(options: SignedPayloadOptions<unknown>): Promise<ActionContext | undefined>
}

/** Options of the `WorkOS` constructor (7.x). */
export interface WorkOSOptions {
  apiHostname?: string
  https?: boolean
  port?: number
  /** Per-request timeout in milliseconds (each attempt). Default 60 000. */
  timeout?: number
  clientId?: string
  /** Appended to the User-Agent as `<name>: <version>`. */
  appInfo?: { name: string; version: string }
  /** `config.headers` are sent with every request (`Authorization` and `User-Agent` excepted). */
  config?: { headers?: Record<string, string> }
}

/** The WorkOS API client (the `@workos-inc/node` 7.82 shape; every call and computation is native). */
export declare class WorkOS {
  /** `key` defaults to `WORKOS_API_KEY`; without either it throws `NoApiKeyProvidedException`. */
  constructor(key?: string, options?: WorkOSOptions)
  readonly key: string
  readonly baseURL: string
  readonly clientId: string | undefined
  readonly options: WorkOSOptions
  /** `'7.82.0'`: the SDK version this client reproduces. */
  readonly version: string
  readonly actions: Actions
  readonly apiKeys: ApiKeys
  readonly auditLogs: AuditLogs
  readonly directorySync: DirectorySync
  readonly events: Events
  readonly featureFlags: FeatureFlags
  readonly fga: FGA
  readonly mfa: Mfa
  readonly organizations: Organizations
  readonly organizationDomains: OrganizationDomains
  readonly passwordless: Passwordless
  readonly pipes: Pipes
  readonly portal: Portal
  readonly sso: SSO
  readonly userManagement: UserManagement
  readonly vault: Vault
  readonly webhooks: Webhooks
  readonly widgets: Widgets
  /** Requests of your own, on this client's API location only: the answer's JSON as `data` (`null` when not JSON). */
  get<T = any>(path: string, options?: { query?: Record<string, unknown>; accessToken?: string } & WarrantTokenOption): Promise<{ data: T }>
  post<T = any>(
    path: string,
    entity: unknown,
    options?: { query?: Record<string, unknown> } & RequestOptions & WarrantTokenOption,
  ): Promise<{ data: T }>
  put<T = any>(path: string, entity: unknown, options?: { query?: Record<string, unknown> } & RequestOptions): Promise<{ data: T }>
  delete(path: string, query?: Record<string, unknown>): Promise<void>
  emitWarning(warning: string): void
  createWebhookClient(): Webhooks
  createActionsClient(): Actions
  /** 7.x internals this client does not have: each throws a `[WorkOS]` error naming it. */
  getCryptoProvider(): never
  createHttpClient(...args: unknown[]): never
  createIronSessionProvider(): never
}

/** Creates the WorkOS middleware and router for xmcp. Throws on invalid config. */
export declare function workosProvider(config: config): { middleware: RequestHandler; router: Router }
/** The session of the current authenticated request. Throws outside one. */
export declare function getSession(): Session
/** The WorkOS user of the current session, fetched from the WorkOS API. */
export declare function getUser(): Promise<User>
/** The WorkOS client configured by `workosProvider()`. */
export declare function getClient(): WorkOS

/** A token for your API, from `exchangeToken()`. */
export interface ExchangedToken {
  accessToken: string
  expiresAt: Date
  /** The granted scope (space-separated), when known. */
  scope?: string
}

/**
 * Exchanges the current request's access token for one issued for `resource` (your API), through
 * WorkOS Connect token exchange (RFC 8693), as the `connect` application. Cached per (token, resource,
 * scope) until shortly before it expires. Rejects with `TokenExchangeError`.
 */
export declare function exchangeToken(request: { resource: string; scope?: string | string[] }): Promise<ExchangedToken>

/** A failed `exchangeToken()`. */
export declare class TokenExchangeError extends Error {
  constructor(details: { kind: TokenExchangeError['kind']; error?: string; description: string; status?: number })
  readonly name: 'TokenExchangeError'
  /** `not_configured` (no `connect` option), `invalid_argument`, `refused` (AuthKit said no) or `unreachable`. */
  readonly kind: 'not_configured' | 'invalid_argument' | 'refused' | 'unreachable'
  /** AuthKit's OAuth error (`invalid_grant`, `invalid_target`, `unauthorized_client`, …), for `refused`. */
  readonly error?: string
  readonly errorDescription: string
  /** The HTTP status of AuthKit's answer, when there was one. */
  readonly status?: number
}

/** True when the current request's token grants every scope named. */
export declare function hasScopes(...scopes: Array<string | string[]>): boolean
/** Throws `ForbiddenError` unless the current request's token grants every scope named. */
export declare function requireScopes(...scopes: Array<string | string[]>): void
/** True when the caller has every permission named (from the token, or its role in WorkOS). */
export declare function hasPermission(...permissions: Array<string | string[]>): Promise<boolean>
/** Rejects with `ForbiddenError` unless the caller has every permission named. */
export declare function requirePermission(...permissions: Array<string | string[]>): Promise<void>
/** True when the caller has one of the roles named. */
export declare function hasRole(...roles: Array<string | string[]>): Promise<boolean>
/** Rejects with `ForbiddenError` unless the caller has one of the roles named. */
export declare function requireRole(...roles: Array<string | string[]>): Promise<void>

/** A failed `require…` check; xmcp answers it as a tool error with the message. */
export declare class ForbiddenError extends Error {
  constructor(kind: 'scope' | 'permission' | 'role', missing: string[])
  readonly name: 'ForbiddenError'
  /** What was checked. */
  readonly kind: 'scope' | 'permission' | 'role'
  /** What the caller lacks (for `role`: the roles named, none of which it holds). */
  readonly missing: string[]
}

declare class WorkOSApiError extends Error {
  readonly status: number
  readonly requestID: string
}
export declare class UnauthorizedException extends WorkOSApiError {}
export declare class NotFoundException extends WorkOSApiError {
  readonly code?: string
}
export declare class ConflictException extends WorkOSApiError {}
export declare class UnprocessableEntityException extends WorkOSApiError {
  readonly code?: string
}
export declare class BadRequestException extends WorkOSApiError {
  readonly code?: string
  readonly errors?: unknown[]
}
export declare class GenericServerException extends WorkOSApiError {
  readonly rawData: unknown
}
export declare class RateLimitExceededException extends GenericServerException {
  readonly retryAfter: number | null
}
export declare class OauthException extends WorkOSApiError {
  readonly error: string | undefined
  readonly errorDescription: string | undefined
  readonly rawData: unknown
}
export declare class ParseError extends WorkOSApiError {
  readonly rawBody: string
  readonly rawStatus: number
}
export declare class NoApiKeyProvidedException extends Error {
  readonly status: 500
}
/** A webhook or Action signature that does not check out (`verifyHeader`, `construct*`). */
export declare class SignatureVerificationException extends Error {}
