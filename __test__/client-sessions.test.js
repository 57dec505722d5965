'use strict'
// The differential suite of getClient(), user management's authentication and sealed sessions: every
// `authenticateWith*` grant, the session cookie helpers and `loadSealedSession()`'s session, on our
// client and on @workos-inc/node 7.82.0 from the same emulator state. Sealing is random (salts and
// IVs), so sealed values are checked by round trip both ways: what we seal, 7.x opens to the same
// data, and what 7.x seals, we open. Access tokens are checked against the emulator's key set at
// `/sso/jwks/<clientId>` on both sides (the key-set downloads are each client's cache, so they are
// left out of the request comparison).
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')
const sdkPackage = require('@workos-inc/node')
const pkg = require('@xmcp-dev/workos')
const { createEmulator } = require('./support/emulator')
const { harness, members, assertSameValue } = require('./support/differential')

const h = harness()
const { differential } = h
const cases = (list) => h.cases(test, list)

const ADA = 'user_01EMU'
const PASSWORD = 'a cookie password of at least 32 characters'
const OTHER_PASSWORD = 'another cookie password, 32 characters or more'
const VERIFIER = 'v'.repeat(43)

let emu
let api
let sdk
let ours
let clientId
const ids = {}

/** `token` with one character in the middle of its signature changed (every bit of it counts there). */
const tamper = (token) => {
  const at = token.length - 100
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
}

const sealed = (value) => typeof value === 'string' && value.startsWith('Fe26.2*')

/**
 * Results holding sealed sessions: ours are opened by 7.x and 7.x's by ours (with `password`), then
 * everything compared; the seals themselves differ (random salts and IVs).
 */
const opened =
  (password = PASSWORD) =>
  async (mine, theirs) => {
    const open = async (value, by) => {
      if (sealed(value)) return { sealed: await by.userManagement.getSessionFromCookie({ sessionData: value, cookiePassword: password }) }
      if (Array.isArray(value)) return Promise.all(value.map((v) => open(v, by)))
      if (value && typeof value === 'object')
        return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await open(v, by)])))
      return value
    }
    const [a, b] = [await open(mine, sdk), await open(theirs, ours)]
    assert.ok(JSON.stringify(a).includes('"sealed":{"'), 'a seal was opened')
    assertSameValue(a, b)
  }

/** The authentication answer 7.x deserializes, sealed by 7.x into a cookie. */
async function cookie(fields, password = PASSWORD) {
  return sdk.userManagement.sealSessionDataFromAuthenticationResponse({ authenticationResponse: fields, cookiePassword: password })
}

describe('getClient(): authentication and sealed sessions, as 7.82', () => {
  before(async () => {
    emu = await createEmulator()
    api = emu.api
    clientId = emu.clientId
    const options = { apiHostname: '127.0.0.1', port: Number(new URL(emu.url).port), https: false, clientId }
    sdk = new sdkPackage.WorkOS(emu.apiKey, options)
    ours = new pkg.WorkOS(emu.apiKey, options)
    Object.assign(h, { emu, sdk, ours, ignore: (r) => r.path.startsWith('/sso/jwks/') })

    const acme = api.addOrganization({ name: 'Acme' })
    const globex = api.addOrganization({ name: 'Globex' })
    ids.acme = acme.id
    ids.globex = globex.id
    api.addMembership({ user_id: ADA, organization_id: acme.id, role: { slug: 'admin' } })
    api.setPassword(ADA, 'correct horse battery')
    api.addAuthCode('code_sso', {
      user_id: ADA,
      organization_id: acme.id,
      authentication_method: 'GoogleOAuth',
      impersonator: { email: 'admin@acme.com', reason: 'support' },
      oauth_tokens: { provider: 'GoogleOAuth', access_token: 'ya29', refresh_token: '1//rt', expires_at: 1767225600, scopes: ['openid'] },
    })
    api.addAuthCode('code_pkce', { user_id: ADA, code_challenge: crypto.createHash('sha256').update(VERIFIER).digest('base64url') })
    ids.magic = api.addMagicAuth('ada@example.com')
    api.addPendingToken('pat_email', { user_id: ADA, email_verification_code: '424242' })
    api.addPendingToken('pat_user', { user_id: ADA })
    ids.challenge = api._enrollAuthFactor(ADA, { type: 'totp' })[1].authentication_challenge.id
    ids.refreshToken = api._authenticated(ADA, { organizationId: acme.id }).refresh_token

    const session = await sdk.userManagement.authenticateWithPassword({
      clientId,
      email: 'ada@example.com',
      password: 'correct horse battery',
      session: { sealSession: true, cookiePassword: PASSWORD },
    })
    ids.response = session
    ids.cookie = session.sealedSession
    const inAcme = api._authenticated(ADA, { organizationId: acme.id })
    ids.orgCookie = await cookie({
      ...session,
      organizationId: acme.id,
      accessToken: inAcme.access_token,
      refreshToken: inAcme.refresh_token,
    })
    const expired = api.sign({ iss: 'x', sub: ADA, sid: 'session_old', iat: 1_600_000_000, exp: 1_600_000_600, jti: 'old' })
    ids.expiredCookie = await cookie({ ...session, accessToken: expired })
    ids.deadRefreshCookie = await cookie({ ...session, refreshToken: 'rt_revoked' })
    ids.noRefreshCookie = await cookie({ ...session, refreshToken: undefined })
    ids.legacyCookie = (
      await sdk.userManagement.sealSessionDataFromAuthenticationResponse({
        authenticationResponse: { ...session, user: { persistent: 'kept' } },
        cookiePassword: PASSWORD,
      })
    ).replace(/~2$/, '')
  })
  after(() => emu.close())

  describe('authenticateWith*', () => {
    const password = (extra = {}) => ({ clientId, email: 'ada@example.com', password: 'correct horse battery', ...extra })
    cases([
      [
        'userManagement.authenticateWithPassword',
        'user, tokens, method',
        (c) => c.userManagement.authenticateWithPassword(password({ ipAddress: '198.51.100.7', userAgent: 'UA' })),
      ],
      [
        'userManagement.authenticateWithPassword',
        'a wrong password is a 400 GenericServerException',
        (c) => c.userManagement.authenticateWithPassword(password({ password: 'nope' })),
      ],
      [
        'userManagement.authenticateWithPassword',
        'another client id is OauthException invalid_client',
        (c) => c.userManagement.authenticateWithPassword(password({ clientId: 'client_other' })),
      ],
      ['userManagement.authenticateWithPassword', 'no argument is the SDK TypeError', (c) => c.userManagement.authenticateWithPassword()],
      [
        'userManagement.authenticateWithCode',
        'organization, impersonator, OAuth tokens',
        (c) => c.userManagement.authenticateWithCode({ clientId, code: 'code_sso', invitationToken: 'inv_1' }),
      ],
      [
        'userManagement.authenticateWithCode',
        'a bad code is OauthException invalid_grant',
        (c) => c.userManagement.authenticateWithCode({ clientId, code: 'nope' }),
      ],
      [
        'userManagement.authenticateWithCodeAndVerifier',
        'PKCE, no client secret sent',
        (c) => c.userManagement.authenticateWithCodeAndVerifier({ clientId, code: 'code_pkce', codeVerifier: VERIFIER }),
      ],
      [
        'userManagement.authenticateWithCodeAndVerifier',
        'a wrong verifier',
        (c) => c.userManagement.authenticateWithCodeAndVerifier({ clientId, code: 'code_pkce', codeVerifier: 'w'.repeat(43) }),
      ],
      [
        'userManagement.authenticateWithMagicAuth',
        'the code of the email',
        (c) =>
          c.userManagement.authenticateWithMagicAuth({
            clientId,
            email: ids.magic.email,
            code: ids.magic.code,
            linkAuthorizationCode: 'lac',
          }),
      ],
      [
        'userManagement.authenticateWithMagicAuth',
        'a wrong code',
        (c) => c.userManagement.authenticateWithMagicAuth({ clientId, email: ids.magic.email, code: '000000' }),
      ],
      [
        'userManagement.authenticateWithRefreshToken',
        'into an organization',
        (c) => c.userManagement.authenticateWithRefreshToken({ clientId, refreshToken: ids.refreshToken, organizationId: ids.acme }),
      ],
      [
        'userManagement.authenticateWithRefreshToken',
        'an organization the user is not in',
        (c) => c.userManagement.authenticateWithRefreshToken({ clientId, refreshToken: ids.refreshToken, organizationId: ids.globex }),
      ],
      [
        'userManagement.authenticateWithTotp',
        'the challenge code',
        (c) =>
          c.userManagement.authenticateWithTotp({
            clientId,
            code: '123456',
            authenticationChallengeId: ids.challenge,
            pendingAuthenticationToken: 'pat_user',
          }),
      ],
      [
        'userManagement.authenticateWithTotp',
        'a bad pending token',
        (c) =>
          c.userManagement.authenticateWithTotp({
            clientId,
            code: '123456',
            authenticationChallengeId: ids.challenge,
            pendingAuthenticationToken: 'pat_nope',
          }),
      ],
      [
        'userManagement.authenticateWithEmailVerification',
        'the code',
        (c) => c.userManagement.authenticateWithEmailVerification({ clientId, code: '424242', pendingAuthenticationToken: 'pat_email' }),
      ],
      [
        'userManagement.authenticateWithOrganizationSelection',
        'a member organization',
        (c) =>
          c.userManagement.authenticateWithOrganizationSelection({
            clientId,
            organizationId: ids.acme,
            pendingAuthenticationToken: 'pat_user',
          }),
      ],
      [
        'userManagement.authenticateWithOrganizationSelection',
        'another organization',
        (c) =>
          c.userManagement.authenticateWithOrganizationSelection({
            clientId,
            organizationId: ids.globex,
            pendingAuthenticationToken: 'pat_user',
          }),
      ],
    ])

    test('userManagement.authenticateWithPassword with sealSession: the sealed session opens on the other side', () =>
      differential(
        'userManagement.authenticateWithPassword',
        (c) => c.userManagement.authenticateWithPassword(password({ session: { sealSession: true, cookiePassword: PASSWORD } })),
        { same: opened() },
      ))

    test('userManagement.authenticateWithCode with sealSession but no password: the SDK error', () =>
      differential('userManagement.authenticateWithCode', (c) =>
        c.userManagement.authenticateWithCode({ clientId, code: 'code_sso', session: { sealSession: true } }),
      ))
  })

  describe('sealing and opening', () => {
    cases([
      [
        'userManagement.getSessionFromCookie',
        "7.x's cookie opens to its data",
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'another password opens to {}',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie, cookiePassword: OTHER_PASSWORD }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'a cookie without the ~2 version: its persistent member',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.legacyCookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'a tampered cookie opens to {}',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie.replace('*1*', '*1*0'), cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'a wrong prefix throws',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie.replace('Fe26.2', 'Fe26.1'), cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'a short password throws',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie, cookiePassword: 'short' }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'no cookie is undefined',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: '', cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getSessionFromCookie',
        'no password',
        (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie, cookiePassword: '' }),
      ],
      ['userManagement.getSessionFromCookie', 'no argument throws at once', (c) => c.userManagement.getSessionFromCookie()],
      [
        'userManagement.sealSessionDataFromAuthenticationResponse',
        'no password',
        (c) => c.userManagement.sealSessionDataFromAuthenticationResponse({ authenticationResponse: ids.response }),
      ],
      [
        'userManagement.sealSessionDataFromAuthenticationResponse',
        "a token that is not a JWT is jose's JWTInvalid",
        (c) =>
          c.userManagement.sealSessionDataFromAuthenticationResponse({
            authenticationResponse: { ...ids.response, accessToken: 'a.b' },
            cookiePassword: PASSWORD,
          }),
      ],
      [
        'userManagement.prepareAuthenticationResponse',
        'without sealSession: the response itself',
        (c) => c.userManagement.prepareAuthenticationResponse({ authenticationResponse: ids.response }),
      ],
      [
        'userManagement.prepareAuthenticationResponse',
        'sealSession without a password',
        (c) => c.userManagement.prepareAuthenticationResponse({ authenticationResponse: ids.response, session: { sealSession: true } }),
      ],
    ])

    test('userManagement.sealSessionDataFromAuthenticationResponse: round trips both ways', async () => {
      for (const response of [
        ids.response,
        { ...ids.response, user: { ...ids.response.user, firstName: 'Ädä \u{1F600}' }, impersonator: { email: 'x@y.z', reason: null } },
      ]) {
        await differential(
          'userManagement.sealSessionDataFromAuthenticationResponse',
          (c) => c.userManagement.sealSessionDataFromAuthenticationResponse({ authenticationResponse: response, cookiePassword: PASSWORD }),
          { same: opened() },
        )
      }
    })

    test('userManagement.prepareAuthenticationResponse with sealSession: the response and its seal', () =>
      differential(
        'userManagement.prepareAuthenticationResponse',
        (c) =>
          c.userManagement.prepareAuthenticationResponse({
            authenticationResponse: ids.response,
            session: { sealSession: true, cookiePassword: PASSWORD },
          }),
        { same: opened() },
      ))

    test('a seal of ours opens to what was sealed on both sides, every JSON value kind', async () => {
      const data = {
        accessToken: ids.response.accessToken,
        user: { s: 'ü\u{1F600}', n: [1, 1.5, -0, 1e21], b: [true, false, null], nested: { '': '', __proto__: 'x' } },
      }
      const mine = await ours.userManagement.sealSessionDataFromAuthenticationResponse({
        authenticationResponse: data,
        cookiePassword: PASSWORD,
      })
      const theirs = await sdk.userManagement.sealSessionDataFromAuthenticationResponse({
        authenticationResponse: data,
        cookiePassword: PASSWORD,
      })
      for (const seal of [mine, theirs]) {
        assert.deepStrictEqual(
          await ours.userManagement.getSessionFromCookie({ sessionData: seal, cookiePassword: PASSWORD }),
          await sdk.userManagement.getSessionFromCookie({ sessionData: seal, cookiePassword: PASSWORD }),
        )
      }
      assert.match(mine, /^Fe26\.2\*1\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*\*[0-9a-f]{64}\*[\w-]{43}~2$/, "7.x's format: no expiry")
    })
  })

  describe('session cookies and access tokens', () => {
    cases([
      [
        'userManagement.authenticateWithSessionCookie',
        'a valid cookie: the claims of its token',
        (c) => c.userManagement.authenticateWithSessionCookie({ sessionData: ids.orgCookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.authenticateWithSessionCookie',
        'an expired token is invalid_jwt',
        (c) => c.userManagement.authenticateWithSessionCookie({ sessionData: ids.expiredCookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.authenticateWithSessionCookie',
        'another password is invalid_session_cookie',
        (c) => c.userManagement.authenticateWithSessionCookie({ sessionData: ids.cookie, cookiePassword: OTHER_PASSWORD }),
      ],
      [
        'userManagement.authenticateWithSessionCookie',
        'no cookie',
        (c) => c.userManagement.authenticateWithSessionCookie({ sessionData: undefined, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.authenticateWithSessionCookie',
        'no password',
        (c) => c.userManagement.authenticateWithSessionCookie({ sessionData: ids.cookie, cookiePassword: '' }),
      ],
      ['userManagement.isValidJwt', 'a token of the emulator', (c) => c.userManagement.isValidJwt(ids.response.accessToken)],
      ['userManagement.isValidJwt', 'a tampered signature', (c) => c.userManagement.isValidJwt(tamper(ids.response.accessToken))],
      [
        'userManagement.isValidJwt',
        'a token signed with an unpublished key',
        (c) =>
          c.userManagement.isValidJwt(emu.mintToken({}, { key: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })),
      ],
      ['userManagement.isValidJwt', 'not a token', (c) => c.userManagement.isValidJwt('nope')],
      [
        'userManagement.refreshAndSealSessionData',
        'a dead refresh token is invalid_grant',
        (c) => c.userManagement.refreshAndSealSessionData({ sessionData: ids.deadRefreshCookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.refreshAndSealSessionData',
        'no refresh token is invalid_session_cookie',
        (c) => c.userManagement.refreshAndSealSessionData({ sessionData: ids.noRefreshCookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.refreshAndSealSessionData',
        'no cookie',
        (c) => c.userManagement.refreshAndSealSessionData({ cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getLogoutUrl',
        'session and return URL',
        (c) => c.userManagement.getLogoutUrl({ sessionId: 'session_1 ü', returnTo: 'https://x.y/?a=b c' }),
      ],
      [
        'userManagement.getLogoutUrl',
        'no session id is a TypeError at once',
        (c) => c.userManagement.getLogoutUrl({ returnTo: 'https://x.y' }),
      ],
      [
        'userManagement.getLogoutUrlFromSessionCookie',
        'from a valid cookie',
        (c) => c.userManagement.getLogoutUrlFromSessionCookie({ sessionData: ids.orgCookie, cookiePassword: PASSWORD }),
      ],
      [
        'userManagement.getLogoutUrlFromSessionCookie',
        'an invalid cookie throws with the reason',
        (c) => c.userManagement.getLogoutUrlFromSessionCookie({ sessionData: ids.expiredCookie, cookiePassword: PASSWORD }),
      ],
      ['userManagement.jwks', 'a key set with a client id', (c) => typeof c.userManagement.jwks],
    ])

    test('a valid token and cookie verify on both sides, against the key set at /sso/jwks/<clientId>', async () => {
      const token = await differential('userManagement.isValidJwt', (c) => c.userManagement.isValidJwt(ids.response.accessToken))
      assert.equal(token.mine.value, true)
      const session = await differential('userManagement.authenticateWithSessionCookie', (c) =>
        c.userManagement.authenticateWithSessionCookie({ sessionData: ids.orgCookie, cookiePassword: PASSWORD }),
      )
      assert.equal(session.mine.value.authenticated, true)
      assert.equal(session.mine.value.organizationId, ids.acme)
      assert.deepStrictEqual(session.mine.value.featureFlags, ['beta'])
    })

    test('userManagement.refreshAndSealSessionData: a new sealed session, opened on the other side', () =>
      differential(
        'userManagement.refreshAndSealSessionData',
        (c) => c.userManagement.refreshAndSealSessionData({ sessionData: ids.orgCookie, cookiePassword: PASSWORD }),
        { same: opened() },
      ))

    test('without a client id: no key set, and the SDK errors', async () => {
      const options = { apiHostname: '127.0.0.1', port: Number(new URL(emu.url).port), https: false }
      const clients = [new sdkPackage.WorkOS(emu.apiKey, options), new pkg.WorkOS(emu.apiKey, options)]
      await differential('userManagement.jwks', (c) => c.userManagement.jwks, { clients })
      await differential('userManagement.isValidJwt', (c) => c.userManagement.isValidJwt(ids.response.accessToken), { clients })
      await differential(
        'userManagement.authenticateWithSessionCookie',
        (c) => c.userManagement.authenticateWithSessionCookie({ sessionData: ids.cookie, cookiePassword: PASSWORD }),
        { clients },
      )
      await differential(
        'cookie session',
        (c) => c.userManagement.loadSealedSession({ sessionData: ids.cookie, cookiePassword: PASSWORD }).authenticate(),
        { clients },
      )
    })

    test('a signature spelled with non-zero trailing bits: 7.x (jose) accepts it, ours refuses it (canonical base64url)', async () => {
      // A 2048-bit signature is 342 base64url characters: the last one carries 2 bits and 4 unused ones.
      const token = ids.response.accessToken
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      const value = alphabet.indexOf(token.at(-1))
      const sibling = alphabet[(value & 0b110000) | ((value + 1) & 0b1111)]
      const respelled = `${token.slice(0, -1)}${sibling}`
      const { mine, theirs } = await differential('userManagement.isValidJwt', (c) => c.userManagement.isValidJwt(respelled), {
        compare: false,
      })
      assert.equal(theirs.value, true)
      assert.equal(mine.value, false)
    })

    test('our jwks is no jose key set: calling it is a [WorkOS] error naming it', () => {
      assert.throws(() => ours.userManagement.jwks({ alg: 'RS256' }), { message: /^\[WorkOS\] userManagement\.jwks: / })
    })

    test('the cookie password is read from WORKOS_COOKIE_PASSWORD', async () => {
      const saved = process.env.WORKOS_COOKIE_PASSWORD
      process.env.WORKOS_COOKIE_PASSWORD = PASSWORD
      try {
        await differential('userManagement.getSessionFromCookie', (c) => c.userManagement.getSessionFromCookie({ sessionData: ids.cookie }))
        await differential('userManagement.authenticateWithSessionCookie', (c) =>
          c.userManagement.authenticateWithSessionCookie({ sessionData: ids.orgCookie }),
        )
      } finally {
        if (saved === undefined) delete process.env.WORKOS_COOKIE_PASSWORD
        else process.env.WORKOS_COOKIE_PASSWORD = saved
      }
    })
  })

  describe('loadSealedSession()', () => {
    const load = (c, sessionData = ids.orgCookie, cookiePassword = PASSWORD) =>
      c.userManagement.loadSealedSession({ sessionData, cookiePassword })

    test("userManagement.loadSealedSession: 7.x's CookieSession (its methods, its cookie), without the password in any dump", async () => {
      await differential('userManagement.loadSealedSession', (c) => {
        const session = load(c)
        // `cookiePassword`: a data member in 7.x, a getter on a hidden prototype layer here.
        const methods = members(session).filter((m) => m !== 'cookiePassword')
        return { class: session.constructor.name, methods, sessionData: session.sessionData, jwks: typeof session.jwks }
      })
      await differential('userManagement.loadSealedSession', (c) => load(c, ids.cookie, ''))
      const session = load(ours)
      assert.equal(session.cookiePassword, PASSWORD, 'readable, as in 7.x')
      for (const text of [JSON.stringify(session), util.inspect(session, { showHidden: true, getters: true, depth: Infinity })]) {
        assert.ok(!text.includes(PASSWORD), text)
      }
    })

    cases([
      ['cookie session', 'authenticate(): the claims', (c) => load(c).authenticate()],
      ['cookie session', 'authenticate(): an expired token', (c) => load(c, ids.expiredCookie).authenticate()],
      ['cookie session', 'authenticate(): another password', (c) => load(c, ids.cookie, OTHER_PASSWORD).authenticate()],
      ['cookie session', 'authenticate(): no cookie', (c) => load(c, '').authenticate()],
      ['cookie session', 'isValidJwt()', (c) => load(c).isValidJwt(ids.response.accessToken)],
      ['cookie session', 'getLogoutUrl({ returnTo })', (c) => load(c).getLogoutUrl({ returnTo: 'https://x.y/bye' })],
      ['cookie session', 'getLogoutUrl() of an expired session throws', (c) => load(c, ids.expiredCookie).getLogoutUrl()],
      ['cookie session', 'refresh(): a dead refresh token', (c) => load(c, ids.deadRefreshCookie).refresh()],
      ['cookie session', 'refresh(): no refresh token', (c) => load(c, ids.noRefreshCookie).refresh()],
    ])

    test('cookie session refresh(): a new seal (opened on the other side), kept by the session', async () => {
      await differential(
        'cookie session',
        async (c) => {
          const session = load(c)
          const result = await session.refresh()
          return { result, kept: session.sessionData === result.sealedSession }
        },
        { same: opened() },
      )
      await differential(
        'cookie session',
        async (c) => {
          const session = load(c)
          const result = await session.refresh({ cookiePassword: OTHER_PASSWORD, organizationId: ids.acme })
          return { result, password: session.cookiePassword === OTHER_PASSWORD }
        },
        { same: opened(OTHER_PASSWORD) },
      )
    })
  })

  describe('completeness', () => {
    test("every member of this file's part was compared with the SDK", (t) => {
      t.diagnostic(`${h.assertCovered('client-sessions.test.js')} members compared`)
    })

    test('the emulator answered in the wire format of the WorkOS OpenAPI document', (t) => {
      const { checked, problems } = api.openApiProblems()
      assert.deepStrictEqual(problems, [])
      t.diagnostic(`${checked.length} kinds of request and answer checked against the OpenAPI document`)
    })
  })
})
