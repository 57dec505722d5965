// Public types of @xmcp-dev/workos 2.x. Hand-written, except the options of `workosProvider()`:
// those are generated from the Rust structs that read them (src/options.rs) into binding.d.ts and
// re-exported here, so the declared options are the ones the addon reads. Names and shapes follow
// the 1.x package.
import type { RequestHandler, Router } from 'express'
import type { ProviderOptions } from './binding'

/** Options of `workosProvider()` (generated from src/options.rs). */
export type config = ProviderOptions
export type {
  ConnectOptions,
  JwksOptions,
  MetadataOptions,
  PermissionCacheOptions,
  TokenCacheOptions,
  ToolPolicy,
} from './binding'

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
// The WorkOS client (`getClient()`, `new WorkOS()`): the `@workos-inc/node` 7.x surface. Results are
// plain objects with the SDK's camelCase keys; timestamps stay ISO-8601 strings. A key the API did not
// send is present with the value `undefined`, as in 7.x (hence the `?:` members).

/** A WorkOS user, exactly as `@workos-inc/node` 7.x returns it. */
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

/** A user's AuthKit session (`Session` in @workos-inc/node; renamed here, `Session` is the verified request's). */
export interface UserSession {
  object: 'session'
  id: string
  userId: string
  ipAddress: string | null
  userAgent: string | null
  organizationId?: string
  impersonator?: { email: string; reason: string | null }
  authMethod:
    | 'external_auth'
    | 'impersonation'
    | 'magic_code'
    | 'migrated_session'
    | 'oauth'
    | 'passkey'
    | 'password'
    | 'sso'
    | 'unknown'
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

/** An authentication factor of a user (`userManagement.listAuthFactors`). */
export interface Factor {
  object: 'authentication_factor'
  id: string
  createdAt: string
  updatedAt: string
  type: 'totp'
  totp: { issuer: string; user: string }
  userId: string
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

export interface DirectoryUserWithGroups {
  object: 'directory_user'
  id: string
  directoryId: string
  organizationId: string | null
  rawAttributes: any
  customAttributes: Record<string, unknown>
  idpId: string
  firstName: string | null
  email: string | null
  /** @deprecated kept by 7.x */
  emails: { type?: string; value?: string; primary?: boolean }[]
  /** @deprecated kept by 7.x */
  username: string | null
  lastName: string | null
  /** @deprecated kept by 7.x */
  jobTitle: string | null
  state: 'active' | 'inactive'
  role?: RoleResponse
  roles?: RoleResponse[]
  createdAt: string
  updatedAt: string
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

export interface Connection {
  object: 'connection'
  id: string
  organizationId?: string
  name: string
  /** @deprecated the same as `type`, kept by 7.x */
  connectionType: string
  type: string
  state: 'draft' | 'active' | 'inactive' | 'validating'
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

export interface OauthTokens {
  accessToken: string
  refreshToken: string
  expiresAt: number
  scopes: string[]
}

export interface ProfileAndToken {
  accessToken: string
  profile: Profile
  oauthTokens?: OauthTokens
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
}

export interface PaginationOptions {
  limit?: number
  before?: string
  after?: string
  order?: 'asc' | 'desc'
}

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

export interface UpdateUserOptions {
  userId: string
  email?: string
  firstName?: string
  lastName?: string
  emailVerified?: boolean
  password?: string
  passwordHash?: string
  passwordHashType?: CreateUserOptions['passwordHashType']
  externalId?: string
  locale?: string
  metadata?: Record<string, string | null>
}

export interface ListOrganizationMembershipsOptions extends PaginationOptions {
  organizationId?: string
  userId?: string
  statuses?: ('active' | 'inactive' | 'pending')[]
}

export interface CreateOrganizationMembershipOptions {
  organizationId: string
  userId: string
  roleSlug?: string
  roleSlugs?: string[]
}

export interface UpdateOrganizationMembershipOptions {
  roleSlug?: string
  roleSlugs?: string[]
}

export interface RevokeSessionOptions {
  sessionId: string
}

export interface SendInvitationOptions {
  email: string
  organizationId?: string
  expiresInDays?: number
  inviterUserId?: string
  roleSlug?: string
}

export interface ListInvitationsOptions extends PaginationOptions {
  organizationId?: string
  email?: string
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

export interface ListOrganizationsOptions extends PaginationOptions {
  domains?: string[]
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

export interface UpdateOrganizationOptions {
  /** The organization id. */
  organization: string
  name?: string
  domainData?: DomainData[]
  stripeCustomerId?: string | null
  externalId?: string | null
  metadata?: Record<string, string>
  /** @deprecated */
  allowProfilesOutsideOrganization?: boolean
  /** @deprecated use domainData */
  domains?: string[]
}

export interface ListDirectoriesOptions extends PaginationOptions {
  organizationId?: string
  search?: string
}

export interface ListDirectoryUsersOptions extends PaginationOptions {
  directory?: string
  group?: string
}

export interface ListDirectoryGroupsOptions extends PaginationOptions {
  directory?: string
  user?: string
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
  /** @deprecated use actorNames */
  actors?: string[]
  actorNames?: string[]
  actorIds?: string[]
  targets?: string[]
}

export interface ListConnectionsOptions extends PaginationOptions {
  connectionType?: string
  domain?: string
  organizationId?: string
}

export interface SSOAuthorizationURLOptions {
  clientId: string
  redirectUri: string
  connection?: string
  organization?: string
  provider?: string
  /** @deprecated use organization */
  domain?: string
  domainHint?: string
  loginHint?: string
  providerQueryParams?: Record<string, string | boolean | number>
  providerScopes?: string[]
  state?: string
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

export interface UserManagement {
  getUser(userId: string): Promise<User>
  getUserByExternalId(externalId: string): Promise<User>
  listUsers(options?: ListUsersOptions): Promise<AutoPaginatable<User>>
  createUser(payload: CreateUserOptions): Promise<User>
  updateUser(payload: UpdateUserOptions): Promise<User>
  deleteUser(userId: string): Promise<void>
  listOrganizationMemberships(options?: ListOrganizationMembershipsOptions): Promise<AutoPaginatable<OrganizationMembership>>
  getOrganizationMembership(organizationMembershipId: string): Promise<OrganizationMembership>
  createOrganizationMembership(options: CreateOrganizationMembershipOptions): Promise<OrganizationMembership>
  updateOrganizationMembership(
    organizationMembershipId: string,
    options: UpdateOrganizationMembershipOptions,
  ): Promise<OrganizationMembership>
  deleteOrganizationMembership(organizationMembershipId: string): Promise<void>
  deactivateOrganizationMembership(organizationMembershipId: string): Promise<OrganizationMembership>
  reactivateOrganizationMembership(organizationMembershipId: string): Promise<OrganizationMembership>
  listSessions(userId: string, options?: PaginationOptions): Promise<AutoPaginatable<UserSession>>
  revokeSession(payload: RevokeSessionOptions): Promise<void>
  getUserIdentities(userId: string): Promise<Identity[]>
  listAuthFactors(options: { userId: string } & PaginationOptions): Promise<AutoPaginatable<Factor>>
  sendInvitation(payload: SendInvitationOptions): Promise<Invitation>
  listInvitations(options?: ListInvitationsOptions): Promise<AutoPaginatable<Invitation>>
  getInvitation(invitationId: string): Promise<Invitation>
  findInvitationByToken(invitationToken: string): Promise<Invitation>
  acceptInvitation(invitationId: string): Promise<Invitation>
  revokeInvitation(invitationId: string): Promise<Invitation>
  resendInvitation(invitationId: string): Promise<Invitation>
  /** `${baseURL}/sso/jwks/${clientId}` (synchronous). */
  getJwksUrl(clientId: string): string
  /** The AuthKit authorization URL (synchronous). */
  getAuthorizationUrl(options: AuthorizationURLOptions): string
}

export interface Organizations {
  getOrganization(id: string): Promise<Organization>
  getOrganizationByExternalId(externalId: string): Promise<Organization>
  listOrganizations(options?: ListOrganizationsOptions): Promise<AutoPaginatable<Organization>>
  createOrganization(payload: CreateOrganizationOptions, requestOptions?: { idempotencyKey?: string }): Promise<Organization>
  updateOrganization(options: UpdateOrganizationOptions): Promise<Organization>
  deleteOrganization(id: string): Promise<void>
  listOrganizationRoles(options: { organizationId: string }): Promise<{ object: 'list'; data: Role[] }>
}

export interface DirectorySync {
  listDirectories(options?: ListDirectoriesOptions): Promise<AutoPaginatable<Directory>>
  getDirectory(id: string): Promise<Directory>
  deleteDirectory(id: string): Promise<void>
  listUsers(options: ListDirectoryUsersOptions): Promise<AutoPaginatable<DirectoryUserWithGroups>>
  getUser(user: string): Promise<DirectoryUserWithGroups>
  listGroups(options: ListDirectoryGroupsOptions): Promise<AutoPaginatable<DirectoryGroup>>
  getGroup(group: string): Promise<DirectoryGroup>
}

export interface AuditLogs {
  /** `idempotencyKey` defaults to `workos-node-<uuid>`. */
  createEvent(organization: string, event: CreateAuditLogEventOptions, options?: { idempotencyKey?: string }): Promise<void>
  createExport(options: AuditLogExportOptions): Promise<AuditLogExport>
  getExport(auditLogExportId: string): Promise<AuditLogExport>
}

export interface SSO {
  listConnections(options?: ListConnectionsOptions): Promise<AutoPaginatable<Connection>>
  getConnection(id: string): Promise<Connection>
  deleteConnection(id: string): Promise<void>
  /** The SSO authorization URL (synchronous). */
  getAuthorizationUrl(options: SSOAuthorizationURLOptions): string
  getProfileAndToken(options: { code: string; clientId: string }): Promise<ProfileAndToken>
  getProfile(options: { accessToken: string }): Promise<Profile>
}

/** The WorkOS API client (the `@workos-inc/node` 7.x shape; every call is made natively). */
export declare class WorkOS {
  /** `key` defaults to `WORKOS_API_KEY`; without either it throws `NoApiKeyProvidedException`. */
  constructor(key?: string, options?: WorkOSOptions)
  readonly key: string
  readonly baseURL: string
  readonly clientId: string | undefined
  readonly options: WorkOSOptions
  readonly userManagement: UserManagement
  readonly organizations: Organizations
  readonly directorySync: DirectorySync
  readonly auditLogs: AuditLogs
  readonly sso: SSO
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
