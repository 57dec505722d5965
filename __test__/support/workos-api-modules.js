'use strict'

/**
 * The rest of the WorkOS REST API that @workos-inc/node 7.82 reaches (test support, mixed into
 * `WorkOsApi` of workos-api.js: the same stores, ids, lists, snapshots and errors). User management's
 * authentication (every grant, with access tokens signed by the emulator's key and verifiable at
 * `/sso/jwks/{clientId}`), email verification, magic auth, password reset, enrolled factors and
 * feature flags; API keys, events, feature flags, FGA, MFA, organization domains, passwordless,
 * Pipes, the Admin Portal, vault and widgets.
 *
 * Answers follow the OpenAPI document where it describes the endpoint; `NOT_IN_DOCUMENT` lists the
 * 7.x endpoints it no longer describes (FGA, vault, passwordless, the deprecated `send` calls).
 */

const crypto = require('node:crypto')

const clone = (value) => structuredClone(value)
const TOKEN_TTL = 3600
const sha = (text) => crypto.createHash('sha256').update(text).digest()

/** 7.x endpoints the OpenAPI document does not describe: their exchanges are not checked against it. */
const NOT_IN_DOCUMENT = new Set([
  '/user_management/magic_auth/send',
  '/user_management/password_reset/send',
  '/passwordless/sessions',
  '/passwordless/sessions/{id}/send',
  '/fga/v1/check',
  '/fga/v1/resources',
  '/fga/v1/resources/batch',
  '/fga/v1/resources/{resource_type}/{resource_id}',
  '/fga/v1/warrants',
  '/fga/v1/query',
  '/vault/v1/kv',
  '/vault/v1/kv/{id}',
  '/vault/v1/kv/{id}/versions',
  '/vault/v1/kv/{id}/metadata',
  '/vault/v1/kv/name/{name}',
  '/vault/v1/keys/data-key',
  '/vault/v1/keys/decrypt',
])

/**
 * Requests the API takes that the document does not describe: the PKCE code exchange without a client
 * secret (what 7.x's `authenticateWithCodeAndVerifier` sends; the document requires the secret).
 */
const undocumentedRequest = (ex) =>
  ex.route === '/user_management/authenticate' && ex.request?.grant_type === 'authorization_code' && ex.request.client_secret === undefined

function install(WorkOsApi, { ApiError }) {
  const message = (status, text, extra = {}) => new ApiError(status, { message: text, ...extra })
  const missing = (kind, id) => message(404, `${kind} not found: ${id}`)
  const oauth = (error, description) => new ApiError(400, { error, error_description: description })

  Object.assign(WorkOsApi.prototype, {
    /** The stores of these modules (part of `snapshot()`). */
    _moduleStores() {
      return {
        passwords: {}, // user id -> password
        emailVerifications: {},
        magicAuths: {},
        passwordResets: {},
        authCodes: {}, // code -> { user_id, organization_id, code_challenge, authentication_method }
        refreshTokens: {}, // token -> { user_id, organization_id, session_id }
        pendingTokens: {}, // token -> { user_id, email_verification_code }
        factorSecrets: {}, // factor id -> its TOTP secrets
        featureFlags: {},
        flagTargets: {}, // slug -> target ids
        apiKeys: {},
        events: {},
        fgaResources: {}, // 'type:id' -> resource
        warrants: [],
        mfaFactors: {},
        challenges: {},
        passwordlessSessions: {},
        pipes: {}, // 'slug:user' -> access token
        vaultObjects: {},
        dataKeys: {}, // id -> base64 key
        auditSchemas: {},
      }
    },

    // ---------------------------------------------------------------- seeding (wire-format input)

    setPassword(userId, password) {
      this.store.passwords[userId] = password
    },

    /** Makes `code` redeemable at `/user_management/authenticate` for `user_id` (PKCE when `code_challenge`). */
    addAuthCode(code, fields) {
      this.store.authCodes[code] = { organization_id: undefined, code_challenge: undefined, authentication_method: 'SSO', ...fields }
    },

    /** A pending authentication token (email verification or organization selection) for `user_id`. */
    addPendingToken(token, fields) {
      this.store.pendingTokens[token] = { ...fields }
    },

    addEmailVerification(userId) {
      const { id, at } = this._next('email_verification')
      const user = this._user(userId)
      const code = String(100000 + (this.seq % 900000))
      const verification = {
        object: 'email_verification',
        id,
        user_id: userId,
        email: user.email,
        expires_at: this._later(at, 600),
        code,
        created_at: at,
        updated_at: at,
      }
      this.store.emailVerifications[id] = verification
      return clone(verification)
    },

    addMagicAuth(email) {
      return this._createMagicAuth({ email })[1]
    },

    addPasswordReset(email) {
      return this._createPasswordReset({ email })[1]
    },

    addFeatureFlag(fields = {}) {
      const { id, at } = this._next('flag')
      const flag = {
        object: 'feature_flag',
        id,
        slug: 'flag',
        name: 'Flag',
        description: null,
        owner: null,
        tags: [],
        enabled: false,
        default_value: false,
        created_at: at,
        updated_at: at,
        ...fields,
      }
      this.store.featureFlags[flag.slug] = flag
      this.store.flagTargets[flag.slug] ||= []
      return clone(flag)
    },

    addFlagTarget(slug, targetId) {
      this.store.flagTargets[slug].push(targetId)
    },

    addApiKey(organizationId, fields = {}) {
      const { id, at } = this._next('api_key')
      const value = `sk_org_${sha(id).toString('hex').slice(0, 24)}`
      const key = {
        object: 'api_key',
        id,
        owner: { type: 'organization', id: organizationId },
        name: 'Key',
        obfuscated_value: `sk_...${value.slice(-4)}`,
        last_used_at: null,
        permissions: [],
        created_at: at,
        updated_at: at,
        ...fields,
      }
      this.store.apiKeys[id] = { ...key, value }
      return { ...clone(key), value }
    },

    /** Adds an event (`data` in wire format) at the next tick. */
    addEvent(event, data, context) {
      const { id, at } = this._next('event')
      const stored = { object: 'event', id, event, data: clone(data), created_at: at, ...(context ? { context } : {}) }
      this.store.events[id] = stored
      return clone(stored)
    },

    addFgaResource(resourceType, resourceId, meta) {
      const resource = { resource_type: resourceType, resource_id: resourceId, ...(meta ? { meta } : {}) }
      this.store.fgaResources[`${resourceType}:${resourceId}`] = resource
      return clone(resource)
    },

    addWarrant(warrant) {
      this.store.warrants.push(clone(warrant))
    },

    /** Lets `user_id` of `slug` have an access token (`missing_scopes` and expiry as given). */
    addPipesToken(slug, userId, fields = {}) {
      const { at } = this._next('tick')
      this.store.pipes[`${slug}:${userId}`] = {
        object: 'access_token',
        access_token: `pipes_${slug}_${userId}`,
        expires_at: this._later(at, 3600),
        scopes: ['read'],
        missing_scopes: [],
        ...fields,
      }
    },

    addVaultObject(fields) {
      return this._vaultWrite(fields.name, fields.value, fields.key_context ?? {})
    },

    // ---------------------------------------------------------------- helpers

    _later(at, seconds) {
      return new Date(Date.parse(at) + seconds * 1000).toISOString()
    },

    _userByEmail(email) {
      return [...this.users.values()].find((u) => u.email === email)
    },

    _membershipOf(userId, organizationId) {
      return Object.values(this.store.memberships).find((m) => m.user_id === userId && m.organization_id === organizationId)
    },

    /**
     * An authentication answer for `userId` (in `organizationId`): an access token signed by the
     * emulator's key (deterministic: fixed times, ids from the counter) and a fresh refresh token.
     */
    _authenticated(userId, { organizationId, method, impersonator, oauthTokens } = {}) {
      const user = this._user(userId)
      const session = this._next('session').id
      const refreshToken = `rt_${this._next('refresh').id}`
      const membership = organizationId ? this._membershipOf(userId, organizationId) : undefined
      const accessToken = this.sign({
        iss: `https://api.workos.com/user_management/${this.clientId}`,
        sub: userId,
        sid: session,
        org_id: organizationId,
        role: membership ? membership.role.slug : undefined,
        permissions: membership ? ['posts:read'] : undefined,
        feature_flags: membership ? ['beta'] : undefined,
        iat: this.issuedAt,
        exp: this.issuedAt + TOKEN_TTL,
        jti: `jti_${session}`,
      })
      this.store.refreshTokens[refreshToken] = { user_id: userId, organization_id: organizationId, session_id: session }
      return {
        user,
        ...(organizationId ? { organization_id: organizationId } : {}),
        access_token: accessToken,
        refresh_token: refreshToken,
        authentication_method: method,
        ...(impersonator ? { impersonator } : {}),
        ...(oauthTokens ? { oauth_tokens: oauthTokens } : {}),
      }
    },

    // ---------------------------------------------------------------- user management

    _authenticate(body = {}) {
      if (body.client_id !== this.clientId) throw oauth('invalid_client', 'Invalid client ID.')
      if (body.client_secret !== undefined && body.client_secret !== this.apiKey) throw oauth('invalid_client', 'Invalid client secret.')
      const pkce = body.grant_type === 'authorization_code' && body.client_secret === undefined
      if (body.client_secret === undefined && !pkce) throw oauth('invalid_client', 'client_secret is required.')
      const badCode = () => new ApiError(400, { code: 'invalid_one_time_code', message: 'The code is invalid.' })
      const pendingUser = () => {
        const pending = this.store.pendingTokens[body.pending_authentication_token]
        if (!pending)
          throw new ApiError(400, { code: 'invalid_pending_authentication_token', message: 'Invalid pending authentication token.' })
        return pending
      }
      switch (body.grant_type) {
        case 'password': {
          const user = this._userByEmail(body.email)
          if (!user || this.store.passwords[user.id] !== body.password) {
            throw new ApiError(400, { code: 'invalid_credentials', message: 'Invalid credentials.' })
          }
          return [200, this._authenticated(user.id, { method: 'Password' })]
        }
        case 'authorization_code': {
          const grant = this.store.authCodes[body.code]
          if (!grant) throw oauth('invalid_grant', 'The code is invalid or expired.')
          if (grant.code_challenge || pkce) {
            const verifier = body.code_verifier && crypto.createHash('sha256').update(body.code_verifier).digest('base64url')
            if (verifier !== grant.code_challenge) throw oauth('invalid_grant', 'PKCE verification failed.')
          }
          delete this.store.authCodes[body.code]
          const oauthTokens = grant.oauth_tokens
          return [
            200,
            this._authenticated(grant.user_id, {
              organizationId: grant.organization_id,
              method: grant.authentication_method,
              impersonator: grant.impersonator,
              oauthTokens,
            }),
          ]
        }
        case 'refresh_token': {
          const grant = this.store.refreshTokens[body.refresh_token]
          if (!grant) throw oauth('invalid_grant', 'The refresh token is invalid.')
          const organizationId = body.organization_id ?? grant.organization_id
          if (organizationId && !this._membershipOf(grant.user_id, organizationId)) {
            throw oauth('invalid_grant', 'The user is not a member of the organization.')
          }
          delete this.store.refreshTokens[body.refresh_token]
          return [200, this._authenticated(grant.user_id, { organizationId, method: 'Password' })]
        }
        case 'urn:workos:oauth:grant-type:magic-auth:code': {
          const found = Object.values(this.store.magicAuths).find((m) => m.email === body.email && m.code === body.code)
          if (!found) throw badCode()
          delete this.store.magicAuths[found.id]
          return [200, this._authenticated(found.user_id, { method: 'MagicAuth' })]
        }
        case 'urn:workos:oauth:grant-type:email-verification:code': {
          const pending = pendingUser()
          if (pending.email_verification_code !== body.code) throw badCode()
          this.users.get(pending.user_id).email_verified = true
          return [200, this._authenticated(pending.user_id, { method: 'Password' })]
        }
        case 'urn:workos:oauth:grant-type:mfa-totp': {
          const pending = pendingUser()
          const challenge = this.store.challenges[body.authentication_challenge_id]
          if (!challenge || challenge.expected !== body.code) throw badCode()
          return [200, this._authenticated(pending.user_id, { method: 'Password' })]
        }
        case 'urn:workos:oauth:grant-type:organization-selection': {
          const pending = pendingUser()
          if (!this._membershipOf(pending.user_id, body.organization_id)) {
            throw new ApiError(400, { code: 'invalid_organization_id', message: 'The user is not a member of the organization.' })
          }
          return [200, this._authenticated(pending.user_id, { organizationId: body.organization_id, method: 'Password' })]
        }
        default:
          throw oauth('invalid_grant', `Unsupported grant type: ${body.grant_type}`)
      }
    },

    _sendVerification(userId) {
      const user = this._user(userId)
      if (user.email_verified) throw new ApiError(400, { code: 'email_already_verified', message: 'The email is already verified.' })
      this.addEmailVerification(userId)
      return [200, { user }]
    },

    _confirmVerification(userId, body = {}) {
      const user = this.users.get(userId)
      if (!user) throw missing('User', userId)
      const found = Object.values(this.store.emailVerifications).find((v) => v.user_id === userId && v.code === body.code)
      if (!found) throw new ApiError(400, { code: 'email_verification_code_incorrect', message: 'The code is incorrect.' })
      user.email_verified = true
      return [200, { user: clone(user) }]
    },

    _createMagicAuth(body = {}) {
      const user = this._userByEmail(body.email)
      if (!user) throw message(422, `No user with the email ${body.email}.`)
      const { id, at } = this._next('magic_auth')
      const auth = {
        object: 'magic_auth',
        id,
        user_id: user.id,
        email: user.email,
        expires_at: this._later(at, 600),
        code: String(200000 + this.seq),
        created_at: at,
        updated_at: at,
      }
      this.store.magicAuths[id] = auth
      return [201, clone(auth)]
    },

    _createPasswordReset(body = {}) {
      const user = this._userByEmail(body.email)
      if (!user) throw missing('User', body.email)
      const { id, at } = this._next('password_reset')
      const token = `prt_${id.slice(-8)}`
      const reset = {
        object: 'password_reset',
        id,
        user_id: user.id,
        email: user.email,
        expires_at: this._later(at, 1800),
        created_at: at,
        password_reset_token: token,
        password_reset_url: `https://auth.example.com/reset-password?token=${token}`,
      }
      this.store.passwordResets[id] = reset
      return [201, clone(reset)]
    },

    _resetPassword(body = {}) {
      const reset = Object.values(this.store.passwordResets).find((r) => r.password_reset_token === body.token)
      if (!reset) throw missing('Password reset', body.token)
      if (typeof body.new_password !== 'string' || body.new_password.length < 8) {
        throw new ApiError(400, {
          code: 'password_reset_error',
          message: 'The password does not meet the requirements.',
          errors: [{ code: 'password_too_short', message: 'Password must be at least 8 characters long.' }],
        })
      }
      this.store.passwords[reset.user_id] = body.new_password
      delete this.store.passwordResets[reset.id]
      return [200, { user: this._user(reset.user_id) }]
    },

    _enrollAuthFactor(userId, body = {}) {
      const user = this._user(userId)
      if (body.type !== 'totp') throw message(422, 'type must be totp')
      const totp = { issuer: body.totp_issuer || 'WorkOS', user: body.totp_user || user.email }
      const factor = this.addAuthFactor({ user_id: userId, totp })
      const secret = body.totp_secret || `JBSWY3DPEHPK3PXP${factor.id.slice(-4)}`
      const secrets = {
        ...totp,
        secret,
        qr_code: `data:image/png;base64,${Buffer.from(secret).toString('base64')}`,
        uri: `otpauth://totp/${totp.issuer}:${totp.user}?secret=${secret}`,
      }
      this.store.factorSecrets[factor.id] = secrets
      const challenge = this._challenge(factor.id, '123456')
      return [201, { authentication_factor: { ...factor, totp: secrets }, authentication_challenge: challenge }]
    },

    _flagsTargeting(targetId) {
      return Object.values(this.store.featureFlags)
        .filter((f) => this.store.flagTargets[f.slug].includes(targetId))
        .map(clone)
    },

    // ---------------------------------------------------------------- organizations, API keys, events

    _organizationFlags(organizationId) {
      this._get('organizations', organizationId)
      return this._flagsTargeting(organizationId)
    },

    _publicKey({ value, ...key }) {
      return clone(key)
    },

    _organizationApiKeys(organizationId) {
      this._get('organizations', organizationId)
      return Object.values(this.store.apiKeys)
        .filter((k) => k.owner.id === organizationId)
        .map((k) => this._publicKey(k))
    },

    _createApiKey(organizationId, body = {}) {
      this._get('organizations', organizationId)
      if (typeof body.name !== 'string' || !body.name) {
        throw new ApiError(422, { message: 'Validation failed', errors: [{ code: 'name_required', field: 'name' }] })
      }
      return [201, this.addApiKey(organizationId, { name: body.name, permissions: body.permissions || [] })]
    },

    _validateApiKey(body = {}) {
      const key = Object.values(this.store.apiKeys).find((k) => k.value === body.value)
      return [200, { api_key: key ? this._publicKey(key) : null }]
    },

    _events(query) {
      const names = (query.get('events') || '').split(',').filter(Boolean)
      const organizationId = query.get('organization_id')
      const start = query.get('range_start')
      const end = query.get('range_end')
      return Object.values(this.store.events)
        .filter((e) => names.length === 0 || names.includes(e.event))
        .filter((e) => !organizationId || e.data.organization_id === organizationId)
        .filter((e) => (!start || e.created_at >= start) && (!end || e.created_at < end))
        .map(clone)
    },

    // ---------------------------------------------------------------- feature flags

    _flag(slug) {
      const flag = this.store.featureFlags[slug]
      if (!flag) throw missing('Feature flag', slug)
      return flag
    },

    _setFlag(slug, enabled) {
      const flag = this._flag(slug)
      flag.enabled = enabled
      flag.updated_at = this._next('tick').at
      return [200, clone(flag)]
    },

    _target(slug, targetId, add) {
      this._flag(slug)
      const targets = this.store.flagTargets[slug]
      if (!/^(user|org)_/.test(targetId))
        throw new ApiError(400, { message: 'The target must be a user or an organization.', code: 'invalid_target' })
      if (add && !targets.includes(targetId)) targets.push(targetId)
      if (!add) this.store.flagTargets[slug] = targets.filter((t) => t !== targetId)
      return [204, undefined]
    },

    // ---------------------------------------------------------------- FGA

    _fgaResource(type, id) {
      const resource = this.store.fgaResources[`${type}:${id}`]
      if (!resource) throw message(404, `Resource ${type}:${id} not found`, { code: 'not_found' })
      return resource
    },

    _createFgaResource(body = {}) {
      if (!body.resource_type) throw message(400, 'resource_type is required', { code: 'invalid_request' })
      const id = body.resource_id || `${this._next('res').id}`
      return [200, this.addFgaResource(body.resource_type, id, body.meta)]
    },

    _updateFgaResource(type, id, body = {}) {
      const resource = this._fgaResource(type, id)
      resource.meta = body.meta
      return [200, clone(resource)]
    },

    _deleteFgaResource(type, id) {
      this._fgaResource(type, id)
      delete this.store.fgaResources[`${type}:${id}`]
      return [200, undefined]
    },

    _batchFgaResources(body = {}) {
      const data = (body.resources || []).map((r) => {
        if (body.op === 'delete') {
          delete this.store.fgaResources[`${r.resource_type}:${r.resource_id}`]
          return { resource_type: r.resource_type, resource_id: r.resource_id }
        }
        return this.addFgaResource(r.resource_type, r.resource_id, r.meta)
      })
      return [200, { data }]
    },

    _writeWarrants(body) {
      for (const w of Array.isArray(body) ? body : [body]) {
        if (!w || !w.resource_type || !w.relation || !w.subject) throw message(400, 'Invalid warrant', { code: 'invalid_request' })
        const same = (x) =>
          x.resource_type === w.resource_type &&
          x.resource_id === w.resource_id &&
          x.relation === w.relation &&
          x.subject.resource_type === w.subject.resource_type &&
          x.subject.resource_id === w.subject.resource_id
        this.store.warrants = this.store.warrants.filter((x) => !same(x))
        if (w.op !== 'delete') {
          const { op, ...warrant } = w
          this.addWarrant(Object.fromEntries(Object.entries(warrant).filter(([, v]) => v !== undefined)))
        }
      }
      return [200, { warrant_token: `wt_${this._next('warrant').id}` }]
    },

    _warrants(query) {
      const filters = {
        resource_type: (w) => w.resource_type,
        resource_id: (w) => w.resource_id,
        relation: (w) => w.relation,
        subject_type: (w) => w.subject.resource_type,
        subject_id: (w) => w.subject.resource_id,
      }
      return this.store.warrants
        .filter((w) => Object.entries(filters).every(([param, read]) => !query.get(param) || read(w) === query.get(param)))
        .map(clone)
    },

    /** A list page of items without ids or timestamps of their own (FGA): paged by `idOf(item, i)`, in store order. */
    _bareList(items, query, idOf) {
      const keyed = items.map((item, i) => ({ id: idOf(item, i), created_at: String(i).padStart(8, '0'), item }))
      const [status, page] = this._list(keyed, query)
      return [status, { ...page, data: page.data.map((k) => k.item) }]
    },

    _checkOne(check) {
      const found = this.store.warrants.some(
        (w) =>
          w.resource_type === check.resource_type &&
          w.resource_id === check.resource_id &&
          w.relation === check.relation &&
          w.subject.resource_type === check.subject.resource_type &&
          w.subject.resource_id === check.subject.resource_id,
      )
      return found
    },

    _check(body = {}) {
      if (!Array.isArray(body.checks)) throw message(400, 'checks is required', { code: 'invalid_request' })
      const token = `wt_check_${this.store.warrants.length}`
      const answer = (authorized, check) => ({
        result: authorized ? 'authorized' : 'not_authorized',
        is_implicit: false,
        warrant_token: token,
        ...(body.debug && check
          ? {
              debug_info: {
                processing_time: 12,
                decision_tree: {
                  check: { ...clone(check), context: check.context },
                  policy: null,
                  decision: authorized ? 'eval_result' : 'no_match',
                  processing_time: 7,
                  children: [
                    { check: { ...clone(check), relation: 'member', context: {} }, decision: 'no_match', processing_time: 1, children: [] },
                  ],
                },
              },
            }
          : {}),
      })
      if (body.op === 'batch') return [200, body.checks.map((c) => answer(this._checkOne(c), c))]
      const results = body.checks.map((c) => this._checkOne(c))
      const authorized = body.op === 'all_of' ? results.every(Boolean) : results.some(Boolean)
      return [200, answer(authorized && results.length > 0, body.checks[0])]
    },

    _query(query) {
      const match = /^select (\S+) of type (\S+) for (\S+):(\S+)$/.exec(query.get('q') || '')
      if (!match) throw message(400, 'Invalid query', { code: 'invalid_query' })
      const [, relation, type, subjectType, subjectId] = match
      const results = this.store.warrants
        .filter(
          (w) =>
            w.relation === relation &&
            w.resource_type === type &&
            w.subject.resource_type === subjectType &&
            w.subject.resource_id === subjectId,
        )
        .map((w) => ({
          resource_type: w.resource_type,
          resource_id: w.resource_id,
          relation: w.relation,
          warrant: { resource_type: w.resource_type, resource_id: w.resource_id, relation: w.relation, subject: clone(w.subject) },
          is_implicit: false,
          meta: this.store.fgaResources[`${w.resource_type}:${w.resource_id}`]?.meta,
        }))
      const [status, page] = this._bareList(results, query, (r) => `${r.resource_type}:${r.resource_id}`)
      const warnings = query.has('context')
        ? {}
        : { warnings: [{ code: 'missing_context_keys', message: 'The query needs context', keys: ['tenant'] }] }
      return [status, { ...page, ...warnings }]
    },

    // ---------------------------------------------------------------- MFA

    _challenge(factorId, expected, withCode) {
      const { id, at } = this._next('auth_challenge')
      const challenge = {
        object: 'authentication_challenge',
        id,
        expires_at: this._later(at, 300),
        ...(withCode ? { code: expected } : {}),
        authentication_factor_id: factorId,
        created_at: at,
        updated_at: at,
      }
      this.store.challenges[id] = { ...challenge, expected }
      return clone(challenge)
    },

    _mfaFactor(id) {
      const factor = this.store.mfaFactors[id]
      if (!factor) throw missing('Authentication factor', id)
      return factor
    },

    _enrollFactor(body = {}) {
      const { id, at } = this._next('auth_factor')
      const base = { object: 'authentication_factor', id, type: body.type, created_at: at, updated_at: at }
      let answer
      if (body.type === 'sms') {
        if (!/^\+\d{6,15}$/.test(body.phone_number || '')) throw message(422, 'phone_number is invalid')
        answer = { ...base, sms: { phone_number: body.phone_number } }
      } else if (body.type === 'totp') {
        const secret = `KRSXG5CTMVRXEZLU${id.slice(-4)}`
        const totp = { issuer: body.totp_issuer || 'WorkOS', user: body.totp_user || 'user' }
        answer = {
          ...base,
          totp: {
            ...totp,
            secret,
            qr_code: `data:image/png;base64,${Buffer.from(secret).toString('base64')}`,
            uri: `otpauth://totp/${totp.issuer}:${totp.user}?secret=${secret}`,
          },
        }
        this.store.mfaFactors[id] = { ...base, totp }
        return [201, answer]
      } else if (body.type === 'generic_otp') {
        answer = base
      } else {
        throw message(422, 'type must be one of generic_otp, sms, totp')
      }
      this.store.mfaFactors[id] = clone(answer)
      return [201, answer]
    },

    _challengeFactor(id) {
      const factor = this._mfaFactor(id)
      return [201, this._challenge(id, factor.type === 'totp' ? '123456' : String(300000 + this.seq), factor.type !== 'totp')]
    },

    _verifyChallenge(id, body = {}) {
      const stored = this.store.challenges[id]
      if (!stored) throw missing('Authentication challenge', id)
      const { expected, ...challenge } = stored
      return [201, { challenge: clone(challenge), valid: body.code === expected }]
    },

    // ---------------------------------------------------------------- organization domains

    _findDomain(id) {
      for (const org of Object.values(this.store.organizations)) {
        const domain = org.domains.find((d) => d.id === id)
        if (domain) return { org, domain }
      }
      throw missing('Organization domain', id)
    },

    _createDomain(body = {}) {
      const org = this._get('organizations', body.organization_id)
      if (Object.values(this.store.organizations).some((o) => o.domains.some((d) => d.domain === body.domain))) {
        throw new ApiError(409, { code: 'domain_already_exists', message: `The domain ${body.domain} already exists.` })
      }
      const domain = this._domain(org.id, { domain: body.domain, state: 'pending', verification_prefix: 'workos-verification' })
      org.domains.push(domain)
      return [201, clone(domain)]
    },

    _verifyDomain(id) {
      const { domain } = this._findDomain(id)
      if (domain.state === 'verified')
        throw new ApiError(400, { code: 'domain_already_verified', message: 'The domain is already verified.' })
      Object.assign(domain, { state: 'verified', updated_at: this._next('tick').at })
      return [201, clone(domain)]
    },

    _deleteDomain(id) {
      const { org, domain } = this._findDomain(id)
      org.domains = org.domains.filter((d) => d !== domain)
      return [204, undefined]
    },

    // ---------------------------------------------------------------- passwordless, Pipes, portal, widgets

    _createPasswordless(body = {}) {
      if (body.type !== 'MagicLink') throw message(422, 'type must be MagicLink')
      if (!body.email) throw message(422, 'email is required')
      const { id, at } = this._next('passwordless_session')
      const session = {
        object: 'passwordless_session',
        id,
        email: body.email,
        expires_at: this._later(at, body.expires_in ?? 900),
        link: `https://auth.workos.com/passwordless/${id}/confirm`,
      }
      this.store.passwordlessSessions[id] = session
      return [201, clone(session)]
    },

    _sendPasswordless(id) {
      if (!this.store.passwordlessSessions[id]) throw missing('Passwordless session', id)
      return [200, { success: true }]
    },

    _pipesToken(slug, body = {}) {
      if (!body.user_id) throw message(400, 'user_id is required')
      const token = this.store.pipes[`${slug}:${body.user_id}`]
      if (!token) return [200, { active: false, error: 'not_installed' }]
      if (token.needs_reauthorization) return [200, { active: false, error: 'needs_reauthorization' }]
      return [200, { active: true, access_token: clone(token) }]
    },

    _portalLink(body = {}) {
      this._get('organizations', body.organization)
      const intents = ['sso', 'dsync', 'audit_logs', 'log_streams', 'domain_verification', 'certificate_renewal', 'bring_your_own_key']
      if (body.intent !== undefined && !intents.includes(body.intent)) throw message(422, `intent must be one of ${intents.join(', ')}`)
      return [
        201,
        { link: `https://setup.workos.com/portal/launch?secret=${sha(`${body.organization}:${this.seq}`).toString('hex').slice(0, 16)}` },
      ]
    },

    _widgetToken(body = {}) {
      this._get('organizations', body.organization_id)
      return [201, { token: `widget_${sha(JSON.stringify(body)).toString('base64url').slice(0, 24)}` }]
    },

    // ---------------------------------------------------------------- vault

    _vaultWrite(name, value, context) {
      if (Object.values(this.store.vaultObjects).some((o) => o.name === name)) throw message(409, `An object named ${name} exists.`)
      const { id, at } = this._next('secret')
      const object = { id, name, versions: [], context }
      this.store.vaultObjects[id] = object
      return this._vaultVersion(object, value, at)
    },

    _vaultVersion(object, value, at) {
      const version = `version_${this._next('v').id.slice(-6)}`
      object.versions.forEach((v) => (v.current_version = false))
      object.versions.push({ id: version, created_at: at, current_version: true })
      Object.assign(object, { value, updated_at: at, version_id: version })
      return this._vaultMetadata(object)
    },

    _vaultMetadata(object) {
      return {
        context: clone(object.context),
        environment_id: 'environment_01EMU',
        id: object.id,
        key_id: `key_${object.id.slice(-6)}`,
        updated_at: object.updated_at,
        updated_by: { id: 'key_emulator', name: 'Emulator' },
        version_id: object.version_id,
      }
    },

    _vaultObject(id, withValue = true) {
      const object = this.store.vaultObjects[id]
      if (!object) throw missing('Object', id)
      return { id: object.id, name: object.name, ...(withValue ? { value: object.value } : {}), metadata: this._vaultMetadata(object) }
    },

    _vaultCreate(body = {}) {
      if (typeof body.name !== 'string' || typeof body.value !== 'string') throw message(422, 'name and value are required')
      return [201, this._vaultWrite(body.name, body.value, body.key_context ?? {})]
    },

    _vaultList(query) {
      const items = Object.values(this.store.vaultObjects).map((o) => ({ id: o.id, name: o.name, updated_at: o.updated_at }))
      const [status, page] = this._bareList(items, new URLSearchParams({ order: 'asc', ...Object.fromEntries(query) }), (o) => o.id)
      return [status, { data: page.data, list_metadata: page.list_metadata }]
    },

    _vaultUpdate(id, body = {}) {
      const object = this.store.vaultObjects[id]
      if (!object) throw missing('Object', id)
      if (body.version_check !== undefined && body.version_check !== object.version_id) throw message(409, 'The version check failed.')
      this._vaultVersion(object, body.value, this._next('tick').at)
      return [200, this._vaultObject(id)]
    },

    _dataKey(body = {}) {
      const { id } = this._next('data_key')
      const key = sha(`data key ${id}`).toString('base64')
      this.store.dataKeys[id] = key
      return [200, { context: clone(body.context ?? {}), data_key: key, encrypted_keys: Buffer.from(`ek:${id}`).toString('base64'), id }]
    },

    _decryptDataKey(body = {}) {
      const id = Buffer.from(String(body.keys), 'base64').toString().replace(/^ek:/, '')
      const key = this.store.dataKeys[id]
      if (!key) throw message(400, 'The keys cannot be decrypted.')
      return [200, { data_key: key, id }]
    },

    // ---------------------------------------------------------------- audit log schemas

    _createSchema(action, body = {}) {
      if (!Array.isArray(body.targets)) throw message(422, 'targets is required')
      const list = (this.store.auditSchemas[action] ||= [])
      const { at } = this._next('tick')
      const schema = {
        object: 'audit_log_schema',
        version: list.length + 1,
        ...(body.actor ? { actor: clone(body.actor) } : {}),
        targets: clone(body.targets),
        ...(body.metadata ? { metadata: clone(body.metadata) } : {}),
        created_at: at,
      }
      list.push(schema)
      return [201, clone(schema)]
    },

    /** The routes of these modules (same format as `_routes()`). */
    _moduleRoutes() {
      const list = (items, c) => this._list(items, c.query)
      return [
        ['POST', '/user_management/authenticate', (c) => this._authenticate(c.body), { public: true }],
        ['GET', '/sso/jwks/{clientId}', (c) => this._ssoJwks(c.params.clientId), { public: true }],
        ['GET', '/user_management/email_verification/{id}', (c) => [200, clone(this._get('emailVerifications', c.params.id))]],
        ['POST', '/user_management/users/{id}/email_verification/send', (c) => this._sendVerification(c.params.id)],
        ['POST', '/user_management/users/{id}/email_verification/confirm', (c) => this._confirmVerification(c.params.id, c.body)],
        ['GET', '/user_management/magic_auth/{id}', (c) => [200, clone(this._get('magicAuths', c.params.id))]],
        ['POST', '/user_management/magic_auth', (c) => this._createMagicAuth(c.body)],
        ['POST', '/user_management/magic_auth/send', (c) => [200, { success: Boolean(this._createMagicAuth(c.body)) }]],
        ['GET', '/user_management/password_reset/{id}', (c) => [200, clone(this._get('passwordResets', c.params.id))]],
        ['POST', '/user_management/password_reset', (c) => this._createPasswordReset(c.body)],
        ['POST', '/user_management/password_reset/send', (c) => [200, { success: Boolean(this._createPasswordReset(c.body)) }]],
        ['POST', '/user_management/password_reset/confirm', (c) => this._resetPassword(c.body)],
        ['POST', '/user_management/users/{userlandUserId}/auth_factors', (c) => this._enrollAuthFactor(c.params.userlandUserId, c.body)],
        [
          'GET',
          '/user_management/users/{userId}/feature-flags',
          (c) => list((this._user(c.params.userId), this._flagsTargeting(c.params.userId)), c),
        ],
        ['GET', '/organizations/{organizationId}/feature-flags', (c) => list(this._organizationFlags(c.params.organizationId), c)],
        ['GET', '/organizations/{organizationId}/api_keys', (c) => list(this._organizationApiKeys(c.params.organizationId), c)],
        ['POST', '/organizations/{organizationId}/api_keys', (c) => this._createApiKey(c.params.organizationId, c.body)],
        ['POST', '/api_keys/validations', (c) => this._validateApiKey(c.body)],
        ['DELETE', '/api_keys/{id}', (c) => this._delete('apiKeys', c.params.id, 204)],
        ['GET', '/events', (c) => list(this._events(c.query), c)],
        ['GET', '/feature-flags', (c) => list(Object.values(this.store.featureFlags).map(clone), c)],
        ['GET', '/feature-flags/{slug}', (c) => [200, clone(this._flag(c.params.slug))]],
        ['PUT', '/feature-flags/{slug}/enable', (c) => this._setFlag(c.params.slug, true)],
        ['PUT', '/feature-flags/{slug}/disable', (c) => this._setFlag(c.params.slug, false)],
        ['POST', '/feature-flags/{slug}/targets/{resourceId}', (c) => this._target(c.params.slug, c.params.resourceId, true)],
        ['DELETE', '/feature-flags/{slug}/targets/{resourceId}', (c) => this._target(c.params.slug, c.params.resourceId, false)],
        ['POST', '/fga/v1/check', (c) => this._check(c.body)],
        ['POST', '/fga/v1/resources/batch', (c) => this._batchFgaResources(c.body)],
        [
          'GET',
          '/fga/v1/resources',
          (c) =>
            this._bareList(
              Object.values(this.store.fgaResources)
                .filter((r) => !c.query.get('resource_type') || r.resource_type === c.query.get('resource_type'))
                .filter((r) => !c.query.get('search') || r.resource_id.includes(c.query.get('search'))),
              c.query,
              (r) => `${r.resource_type}:${r.resource_id}`,
            ),
        ],
        ['POST', '/fga/v1/resources', (c) => this._createFgaResource(c.body)],
        [
          'GET',
          '/fga/v1/resources/{resource_type}/{resource_id}',
          (c) => [200, clone(this._fgaResource(c.params.resource_type, c.params.resource_id))],
        ],
        [
          'PUT',
          '/fga/v1/resources/{resource_type}/{resource_id}',
          (c) => this._updateFgaResource(c.params.resource_type, c.params.resource_id, c.body),
        ],
        [
          'DELETE',
          '/fga/v1/resources/{resource_type}/{resource_id}',
          (c) => this._deleteFgaResource(c.params.resource_type, c.params.resource_id),
        ],
        ['POST', '/fga/v1/warrants', (c) => this._writeWarrants(c.body)],
        ['GET', '/fga/v1/warrants', (c) => this._bareList(this._warrants(c.query), c.query, (w, i) => `warrant_${i}`)],
        ['GET', '/fga/v1/query', (c) => this._query(c.query)],
        ['POST', '/auth/factors/enroll', (c) => this._enrollFactor(c.body)],
        ['GET', '/auth/factors/{id}', (c) => [200, clone(this._mfaFactor(c.params.id))]],
        ['DELETE', '/auth/factors/{id}', (c) => this._delete('mfaFactors', c.params.id, 204)],
        ['POST', '/auth/factors/{id}/challenge', (c) => this._challengeFactor(c.params.id)],
        ['POST', '/auth/challenges/{id}/verify', (c) => this._verifyChallenge(c.params.id, c.body)],
        ['POST', '/organization_domains', (c) => this._createDomain(c.body)],
        ['GET', '/organization_domains/{id}', (c) => [200, clone(this._findDomain(c.params.id).domain)]],
        ['POST', '/organization_domains/{id}/verify', (c) => this._verifyDomain(c.params.id)],
        ['DELETE', '/organization_domains/{id}', (c) => this._deleteDomain(c.params.id)],
        ['POST', '/passwordless/sessions', (c) => this._createPasswordless(c.body)],
        ['POST', '/passwordless/sessions/{id}/send', (c) => this._sendPasswordless(c.params.id)],
        ['POST', '/data-integrations/{slug}/token', (c) => this._pipesToken(c.params.slug, c.body)],
        ['POST', '/portal/generate_link', (c) => this._portalLink(c.body)],
        ['POST', '/widgets/token', (c) => this._widgetToken(c.body)],
        ['POST', '/vault/v1/kv', (c) => this._vaultCreate(c.body)],
        ['GET', '/vault/v1/kv', (c) => this._vaultList(c.query)],
        [
          'GET',
          '/vault/v1/kv/name/{name}',
          (c) => {
            const found = Object.values(this.store.vaultObjects).find((o) => o.name === c.params.name)
            if (!found) throw missing('Object', c.params.name)
            return [200, this._vaultObject(found.id)]
          },
        ],
        [
          'GET',
          '/vault/v1/kv/{id}/versions',
          (c) => [200, { data: clone(this._vaultObject(c.params.id) && this.store.vaultObjects[c.params.id].versions) }],
        ],
        ['GET', '/vault/v1/kv/{id}/metadata', (c) => [200, this._vaultObject(c.params.id, false)]],
        ['GET', '/vault/v1/kv/{id}', (c) => [200, this._vaultObject(c.params.id)]],
        ['PUT', '/vault/v1/kv/{id}', (c) => this._vaultUpdate(c.params.id, c.body)],
        ['DELETE', '/vault/v1/kv/{id}', (c) => this._delete('vaultObjects', c.params.id, 204)],
        ['POST', '/vault/v1/keys/data-key', (c) => this._dataKey(c.body)],
        ['POST', '/vault/v1/keys/decrypt', (c) => this._decryptDataKey(c.body)],
        ['POST', '/audit_logs/actions/{actionName}/schemas', (c) => this._createSchema(c.params.actionName, c.body)],
      ]
    },

    _ssoJwks(clientId) {
      if (clientId !== this.clientId) throw missing('Client', clientId)
      const keys = this.jwks().keys.map((k) => ({ ...k, x5c: [], 'x5t#S256': sha(k.n).toString('base64url') }))
      return [200, { keys }]
    },
  })
}

module.exports = { install, NOT_IN_DOCUMENT, undocumentedRequest }
