// Public types of @xmcp-dev/workos 2.x. Hand-written, except the options of `workosProvider()` and
// the WorkOS client: the client's are @workos-inc/node's own; the options are generated from the Rust structs that read them (src/options.rs) into binding.d.ts and
// re-exported here, so the declared options are the ones the addon reads. Names and shapes follow
// the 1.x package.
import type { RequestHandler, Router } from 'express'
import type { ProviderOptions } from './binding'
import type { WorkOS as SdkWorkOS, User } from '@workos-inc/node'

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
// The WorkOS client (`getClient()`, `new WorkOS()`): @workos-inc/node's own class, whose HTTP is this
// package's native transport, and the SDK's types and exception classes.
export type * from '@workos-inc/node'
export {
  BadRequestException,
  GenericServerException,
  NoApiKeyProvidedException,
  NotFoundException,
  OauthException,
  RateLimitExceededException,
  SignatureVerificationException,
  UnauthorizedException,
  UnprocessableEntityException,
} from '@workos-inc/node'

/** `@workos-inc/node`'s `WorkOS` (7.x's constructor, `new WorkOS(key?, options?)`), its requests made by the native transport. */
export declare class WorkOS extends SdkWorkOS {}

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
