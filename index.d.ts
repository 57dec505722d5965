// Public types of @xmcp-dev/workos 2.x. Hand-written (the native bindings' generated declarations are
// in binding.d.ts and are not part of the public API); names and shapes follow the 1.x package.
import type { RequestHandler, Router } from 'express'

/** Options of `workosProvider()`. The first five are the 1.x options; the rest are optional additions. */
export interface config {
  /** WorkOS API key (`sk_...`). */
  apiKey: string
  /** WorkOS client id (`client_...`): the default audience of AuthKit access tokens. */
  clientId: string
  /** Public base URL of this MCP server, e.g. `https://mcp.example.com`. */
  baseURL: string
  /** AuthKit domain, e.g. `yourcompany.authkit.app` (https), or an origin such as `http://127.0.0.1:4000` for local use. */
  authkitDomain: string
  /** URL of your MCP server's documentation (`resource_documentation`). */
  docsURL?: string
  /** The guarded MCP endpoint path. Default `/mcp`. */
  endpoint?: string
  /**
   * Accepted `aud` values. Default: `clientId` and the MCP resource URL (`baseURL` + endpoint), which
   * AuthKit uses when a Resource Indicator is configured.
   */
  audience?: string | string[]
  /** WorkOS API host. Default `WORKOS_API_HOSTNAME`, else `api.workos.com`. */
  apiHostname?: string
  /** WorkOS API port. Default `WORKOS_API_PORT`, else the scheme's. */
  apiPort?: number
  /** Use https for the WorkOS API. Default `WORKOS_API_HTTPS`, else `true`. */
  apiHttps?: boolean
  /** Timeout of one WorkOS API call in milliseconds. Default 60 000. */
  apiTimeout?: number
  /** AuthKit key cache (jose's `createRemoteJWKSet` semantics). */
  jwks?: {
    /** Keys are refreshed in the background once this old. Default 600 000 (10 min). */
    cacheMaxAgeMs?: number
    /** An unknown `kid` triggers a refetch at most this often. Default 30 000, minimum 1 000. */
    cooldownMs?: number
    /** Timeout of one JWKS download. Default 5 000. */
    timeoutMs?: number
  }
  /** AuthKit authorization-server metadata cache. */
  metadata?: {
    /** Served from cache this long before it is refreshed. Default 600 000 (10 min). */
    cacheMaxAgeMs?: number
  }
}

/** The verified session of the current request. */
export interface Session {
  /** WorkOS user id (`sub`). */
  userId: string
  /** AuthKit session id (`sid`). */
  sessionId: string
  /** Organization id (`org_id`), when the session has one. */
  organizationId?: string
  role?: string
  permissions?: string[]
  /** Token expiry (`exp`). */
  expiresAt: Date
  /** Token issue time (`iat`). */
  issuedAt: Date
  /** The raw verified JWT payload. */
  claims: JWTClaims
}

export interface JWTClaims {
  sub: string
  sid: string
  iss: string
  org_id?: string
  role?: string
  permissions?: string[]
  exp: number
  iat: number
  aud?: string | string[]
  [claim: string]: unknown
}

/** RFC 9728 protected-resource metadata, as served by the router. */
export interface OAuthProtectedResourceMetadata {
  resource: string
  authorization_servers: string[]
  bearer_methods_supported: string[]
  resource_documentation?: string
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

export interface WorkOSOptions {
  apiHostname?: string
  https?: boolean
  port?: number
  /** Per-request timeout in milliseconds. Default 60 000. */
  timeout?: number
  clientId?: string
}

/** The WorkOS API client (the `@workos-inc/node` 7.x shape; every call is made natively). */
export declare class WorkOS {
  constructor(key?: string, options?: WorkOSOptions)
  readonly key: string
  readonly baseURL: string
  readonly clientId: string | undefined
  readonly options: WorkOSOptions
  readonly userManagement: {
    getUser(userId: string): Promise<User>
  }
}

/** Creates the WorkOS middleware and router for xmcp. Throws on invalid config. */
export declare function workosProvider(config: config): { middleware: RequestHandler; router: Router }
/** The session of the current authenticated request. Throws outside one. */
export declare function getSession(): Session
/** The WorkOS user of the current session, fetched from the WorkOS API. */
export declare function getUser(): Promise<User>
/** The WorkOS client configured by `workosProvider()`. */
export declare function getClient(): WorkOS

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
