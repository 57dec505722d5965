'use strict'
// The differential suite of getClient(): every method of the surface, called on our client and on
// @workos-inc/node 7.82.0 (the oracle), both pointed at the same emulator state. For each call the
// results must be deep-equal with the same keys in the same order (or the errors of the same class
// with the same fields), and the emulator must have seen the same requests (method, path, query, body,
// headers). Where we differ on purpose, the test says so and checks our side.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const sdkPackage = require('@workos-inc/node')
const pkg = require('@xmcp-dev/workos')
const { createEmulator } = require('./support/emulator')
const { configFor } = require('./support/express-app')
const { harness, surface, names, members, OWNERS, UUID, API_ERRORS, assertSameError } = require('./support/differential')

const SdkWorkOS = sdkPackage.WorkOS

const h = harness()
const { differential, apiRequests } = h
const cases = (list) => h.cases(test, list)

const ADA = 'user_01EMU'

let emu
let api
let port
let sdk
let ours
const ids = {}

const clientOptions = (extra = {}) => ({ apiHostname: '127.0.0.1', port, https: false, ...extra })

function seed() {
  emu.addUser(
    { id: 'user_grace', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' },
    { raw: { external_id: 'ext_grace', metadata: { team: 'navy' }, locale: 'en-US' } },
  )
  emu.addUser({ id: 'user_alan', email: 'alan@example.com', firstName: 'Alan' })
  emu.addUser({ id: 'user_edsger', email: 'edsger@example.com' }, { raw: { email_verified: false, last_sign_in_at: null } })

  const acme = api.addOrganization({ name: 'Acme', domains: ['acme.com', { domain: 'acme.dev', state: 'pending' }] })
  const globex = api.addOrganization({
    name: 'Globex',
    external_id: 'ext_globex',
    stripe_customer_id: 'cus_123',
    metadata: { tier: 'gold' },
    domains: ['globex.com'],
  })
  const bulk = api.addOrganization({ name: 'Bulk' })
  ids.acme = acme.id
  ids.globex = globex.id
  ids.bulk = bulk.id
  api.addRole(acme.id, { name: 'Admin', slug: 'admin', description: 'Everything', permissions: ['posts:read', 'posts:write'] })
  api.addRole(acme.id, { name: 'Auditor', slug: 'auditor', type: 'OrganizationRole', permissions: ['posts:read'] })

  ids.membershipWithRoles = api.addMembership({
    user_id: ADA,
    organization_id: acme.id,
    role: { slug: 'admin' },
    roles: [{ slug: 'admin' }, { slug: 'auditor' }],
  }).id
  ids.pendingMembership = api.addMembership({ user_id: 'user_grace', organization_id: acme.id, status: 'pending' }).id
  ids.inactiveMembership = api.addMembership({ user_id: 'user_alan', organization_id: globex.id, status: 'inactive' }).id
  ids.membership = api.addMembership({ user_id: 'user_edsger', organization_id: globex.id }).id

  ids.plainSession = api.addSession({ user_id: ADA }).id
  ids.session = api.addSession({
    user_id: ADA,
    organization_id: acme.id,
    auth_method: 'sso',
    impersonator: { email: 'admin@acme.com', reason: null },
  }).id
  api.setIdentities(ADA, [
    { idp_id: '4F42ABDE-1E44-4B66-824A-5F733C037A6D', type: 'OAuth', provider: 'GithubOAuth' },
    { idp_id: '108872335', type: 'OAuth', provider: 'GoogleOAuth' },
  ])

  api.addAuthFactor({ user_id: ADA })
  api.addAuthFactor({ user_id: ADA, totp: { issuer: 'Acme', user: 'ada@acme.com' } })
  api.addAuthFactor({ user_id: 'user_grace' })

  const invitation = api.addInvitation({ email: 'new@acme.com', organization_id: acme.id, inviter_user_id: ADA, role_slug: 'admin' })
  ids.invitation = invitation.id
  ids.invitationToken = invitation.token
  ids.acceptedInvitation = api.addInvitation({
    email: 'grace@example.com',
    state: 'accepted',
    accepted_at: '2026-02-01T00:00:00.000Z',
    accepted_user_id: 'user_grace',
  }).id

  const okta = api.addDirectory({ organization_id: acme.id, name: 'Okta', state: 'linked' })
  const azure = api.addDirectory({
    organization_id: globex.id,
    name: 'Azure',
    type: 'azure scim v2.0',
    state: 'unlinked',
    domain: 'globex.com',
  })
  ids.directory = okta.id
  ids.unlinkedDirectory = azure.id
  const engineering = api.addDirectoryGroup({ directory_id: okta.id, name: 'Engineering', raw_attributes: { id: 'eng' } })
  const design = api.addDirectoryGroup({ directory_id: okta.id, name: 'Design' })
  ids.group = engineering.id
  ids.directoryUser = api.addDirectoryUser({
    directory_id: okta.id,
    email: 'ada@acme.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    job_title: 'Engineer',
    role: { slug: 'admin' },
    roles: [{ slug: 'admin' }],
    custom_attributes: { department: 'R&D' },
    group_ids: [engineering.id, design.id],
  }).id
  api.addDirectoryUser({ directory_id: okta.id, email: 'bob@acme.com', group_ids: [design.id] })

  ids.connection = api.addConnection({ organization_id: acme.id, name: 'Acme Okta', domains: ['acme.com'] }).id
  ids.oauthConnection = api.addConnection({ name: 'Google', connection_type: 'GoogleOAuth', state: 'inactive' }).id
  ids.export = api.addAuditExport().id
  ids.accessToken = api.addProfile(
    'code_tokens',
    {
      organization_id: acme.id,
      connection_id: ids.connection,
      email: 'ada@acme.com',
      first_name: 'Ada',
      role: { slug: 'admin' },
      roles: [{ slug: 'admin' }],
      groups: ['Engineering'],
      custom_attributes: { department: 'R&D' },
      raw_attributes: { sub: 'ada' },
    },
    { oauth_tokens: { provider: 'GoogleOAuth', access_token: 'ya29', refresh_token: '1//rt', expires_at: 1767225600, scopes: ['openid'] } },
  ).access_token
  api.addProfile('code_plain', { email: 'sso@acme.com' })

  ids.emailVerification = api.addEmailVerification('user_edsger')
  ids.magicAuth = api.addMagicAuth('grace@example.com').id
  ids.passwordReset = api.addPasswordReset('grace@example.com')
  const beta = api.addFeatureFlag({ slug: 'beta', name: 'Beta', description: 'The beta', tags: ['ui'], enabled: true })
  api.addFeatureFlag({ slug: 'dark-mode', name: 'Dark mode' })
  for (const target of [ADA, acme.id]) api.addFlagTarget(beta.slug, target)
  api.addFlagTarget('dark-mode', acme.id)
  api.addApiKey(acme.id, { name: 'CI', permissions: ['posts:read'] })
  api.addApiKey(acme.id, { name: 'Deploy' })

  // A long list for autoPagination: 230 directory users in a directory of their own, 25 org members.
  const big = api.addDirectory({ organization_id: bulk.id, name: 'Big' })
  ids.bigDirectory = big.id
  for (let i = 0; i < 230; i++) api.addDirectoryUser({ directory_id: big.id, email: `u${i}@bulk.example` })
  for (let i = 0; i < 25; i++) {
    emu.addUser({ id: `user_bulk_${String(i).padStart(2, '0')}` })
    api.addMembership({ user_id: `user_bulk_${String(i).padStart(2, '0')}`, organization_id: bulk.id })
  }
}

const event = (extra = {}) => ({
  action: 'document.viewed',
  occurredAt: new Date('2024-05-06T07:08:09.123Z'),
  actor: { id: ADA, type: 'user', name: 'Ada', metadata: { role: 'admin' } },
  targets: [{ id: 'doc_1', type: 'document' }],
  context: { location: '1.2.3.4', userAgent: 'Chrome/104' },
  metadata: { k: 1, ok: true },
  ...extra,
})

describe('getClient(): @workos-inc/node 7.82 parity', () => {
  before(async () => {
    emu = await createEmulator()
    api = emu.api
    port = Number(new URL(emu.url).port)
    sdk = new SdkWorkOS(emu.apiKey, clientOptions())
    ours = new pkg.WorkOS(emu.apiKey, clientOptions())
    Object.assign(h, { emu, sdk, ours })
    seed()
  })
  after(() => emu.close())

  describe('userManagement', () => {
    cases([
      ['userManagement.getUser', 'a user', (c) => c.userManagement.getUser(ADA)],
      ['userManagement.getUser', 'external id, metadata and locale', (c) => c.userManagement.getUser('user_grace')],
      ['userManagement.getUser', 'a missing user is NotFoundException', (c) => c.userManagement.getUser('user_missing')],
      ['userManagement.getUserByExternalId', 'found', (c) => c.userManagement.getUserByExternalId('ext_grace')],
      ['userManagement.getUserByExternalId', 'missing', (c) => c.userManagement.getUserByExternalId('ext_none')],
      ['userManagement.listUsers', 'no options', (c) => c.userManagement.listUsers()],
      ['userManagement.listUsers', 'by organization', (c) => c.userManagement.listUsers({ organizationId: ids.acme })],
      ['userManagement.listUsers', 'by email', (c) => c.userManagement.listUsers({ email: 'grace@example.com' })],
      [
        'userManagement.listUsers',
        'limit, order, cursor',
        (c) => c.userManagement.listUsers({ limit: 2, order: 'asc', after: 'user_alan' }),
      ],
      ['userManagement.listUsers', 'an invalid limit is UnprocessableEntityException', (c) => c.userManagement.listUsers({ limit: 500 })],
      [
        'userManagement.createUser',
        'every field',
        (c) =>
          c.userManagement.createUser({
            email: 'marie@example.com',
            password: 'correct horse battery',
            firstName: 'Marie',
            lastName: 'Curie',
            emailVerified: true,
            externalId: 'ext_marie',
            metadata: { lab: 'radium' },
          }),
      ],
      [
        'userManagement.createUser',
        'a weak password is BadRequestException',
        (c) => c.userManagement.createUser({ email: 'weak@example.com', password: 'short' }),
      ],
      [
        'userManagement.createUser',
        'a taken email is BadRequestException',
        (c) => c.userManagement.createUser({ email: 'ada@example.com' }),
      ],
      [
        'userManagement.createUser',
        'no email is UnprocessableEntityException',
        (c) => c.userManagement.createUser({ firstName: 'Nobody' }),
      ],
      [
        'userManagement.updateUser',
        'one object with userId',
        (c) =>
          c.userManagement.updateUser({
            userId: 'user_grace',
            firstName: 'Amazing Grace',
            emailVerified: true,
            locale: 'en-GB',
            metadata: { rank: 'admiral' },
          }),
      ],
      ['userManagement.updateUser', 'a missing user', (c) => c.userManagement.updateUser({ userId: 'user_missing', firstName: 'X' })],
      ['userManagement.deleteUser', 'resolves to undefined', (c) => c.userManagement.deleteUser('user_alan')],
      ['userManagement.deleteUser', 'a missing user', (c) => c.userManagement.deleteUser('user_missing')],
      [
        'userManagement.listOrganizationMemberships',
        'no argument at all (allowed in 7.x)',
        (c) => c.userManagement.listOrganizationMemberships(),
      ],
      ['userManagement.listOrganizationMemberships', 'by user', (c) => c.userManagement.listOrganizationMemberships({ userId: ADA })],
      [
        'userManagement.listOrganizationMemberships',
        'by organization and statuses',
        (c) => c.userManagement.listOrganizationMemberships({ organizationId: ids.acme, statuses: ['active', 'pending'] }),
      ],
      [
        'userManagement.getOrganizationMembership',
        'with roles',
        (c) => c.userManagement.getOrganizationMembership(ids.membershipWithRoles),
      ],
      ['userManagement.getOrganizationMembership', 'without roles', (c) => c.userManagement.getOrganizationMembership(ids.membership)],
      [
        'userManagement.createOrganizationMembership',
        'one role',
        (c) => c.userManagement.createOrganizationMembership({ organizationId: ids.globex, userId: ADA, roleSlug: 'admin' }),
      ],
      [
        'userManagement.createOrganizationMembership',
        'several roles',
        (c) =>
          c.userManagement.createOrganizationMembership({
            organizationId: ids.globex,
            userId: 'user_grace',
            roleSlugs: ['admin', 'auditor'],
          }),
      ],
      [
        'userManagement.createOrganizationMembership',
        'an unknown user',
        (c) => c.userManagement.createOrganizationMembership({ organizationId: ids.globex, userId: 'user_missing' }),
      ],
      [
        'userManagement.updateOrganizationMembership',
        'roleSlug',
        (c) => c.userManagement.updateOrganizationMembership(ids.membership, { roleSlug: 'admin' }),
      ],
      [
        'userManagement.updateOrganizationMembership',
        'roleSlugs',
        (c) => c.userManagement.updateOrganizationMembership(ids.membership, { roleSlugs: ['admin', 'auditor'] }),
      ],
      [
        'userManagement.deleteOrganizationMembership',
        'resolves to undefined',
        (c) => c.userManagement.deleteOrganizationMembership(ids.membership),
      ],
      [
        'userManagement.deactivateOrganizationMembership',
        'active',
        (c) => c.userManagement.deactivateOrganizationMembership(ids.membership),
      ],
      [
        'userManagement.deactivateOrganizationMembership',
        'pending is a 400 GenericServerException',
        (c) => c.userManagement.deactivateOrganizationMembership(ids.pendingMembership),
      ],
      [
        'userManagement.reactivateOrganizationMembership',
        'inactive',
        (c) => c.userManagement.reactivateOrganizationMembership(ids.inactiveMembership),
      ],
      [
        'userManagement.listSessions',
        'absent organizationId / impersonator stay undefined keys',
        (c) => c.userManagement.listSessions(ADA),
      ],
      ['userManagement.listSessions', 'options passed through', (c) => c.userManagement.listSessions(ADA, { limit: 1, order: 'asc' })],
      ['userManagement.revokeSession', 'resolves to undefined', (c) => c.userManagement.revokeSession({ sessionId: ids.session })],
      ['userManagement.getUserIdentities', 'identities', (c) => c.userManagement.getUserIdentities(ADA)],
      ['userManagement.getUserIdentities', 'no userId is a TypeError', (c) => c.userManagement.getUserIdentities('')],
      ['userManagement.listAuthFactors', 'the factors of a user', (c) => c.userManagement.listAuthFactors({ userId: ADA })],
      [
        'userManagement.listAuthFactors',
        'pagination options passed through',
        (c) => c.userManagement.listAuthFactors({ userId: ADA, limit: 1, order: 'asc' }),
      ],
      ['userManagement.listAuthFactors', 'a user without factors', (c) => c.userManagement.listAuthFactors({ userId: 'user_alan' })],
      [
        'userManagement.listAuthFactors',
        'a missing user is NotFoundException',
        (c) => c.userManagement.listAuthFactors({ userId: 'user_missing' }),
      ],
      ['userManagement.listAuthFactors', 'no options is the SDK TypeError', (c) => c.userManagement.listAuthFactors()],
      [
        'userManagement.sendInvitation',
        'every field',
        (c) =>
          c.userManagement.sendInvitation({
            email: 'hire@acme.com',
            organizationId: ids.acme,
            expiresInDays: 3,
            inviterUserId: ADA,
            roleSlug: 'auditor',
          }),
      ],
      ['userManagement.listInvitations', 'no options', (c) => c.userManagement.listInvitations()],
      ['userManagement.listInvitations', 'by organization', (c) => c.userManagement.listInvitations({ organizationId: ids.acme })],
      ['userManagement.listInvitations', 'by email', (c) => c.userManagement.listInvitations({ email: 'grace@example.com' })],
      ['userManagement.getInvitation', 'an invitation', (c) => c.userManagement.getInvitation(ids.invitation)],
      ['userManagement.findInvitationByToken', 'by token', (c) => c.userManagement.findInvitationByToken(ids.invitationToken)],
      ['userManagement.acceptInvitation', 'pending', (c) => c.userManagement.acceptInvitation(ids.invitation)],
      ['userManagement.acceptInvitation', 'already accepted', (c) => c.userManagement.acceptInvitation(ids.acceptedInvitation)],
      ['userManagement.revokeInvitation', 'pending', (c) => c.userManagement.revokeInvitation(ids.invitation)],
      ['userManagement.resendInvitation', 'pending', (c) => c.userManagement.resendInvitation(ids.invitation)],
      ['userManagement.getJwksUrl', 'a client id', (c) => c.userManagement.getJwksUrl('client_123')],
      ['userManagement.getJwksUrl', 'none is a TypeError', (c) => c.userManagement.getJwksUrl('')],
      [
        'userManagement.getAuthorizationUrl',
        'AuthKit with every option',
        (c) =>
          c.userManagement.getAuthorizationUrl({
            clientId: 'client_123',
            redirectUri: 'https://x.y/cb?a=1&b=2',
            provider: 'authkit',
            state: 'a b+c/d',
            screenHint: 'sign-up',
            codeChallenge: 'abc',
            codeChallengeMethod: 'S256',
            domainHint: 'acme.com',
            loginHint: 'ada@acme.com',
            prompt: 'login',
            providerQueryParams: { hd: 'x.com', Zed: 'z', a_b: 'ü (ok)*', n: 2, t: true },
            providerScopes: ['openid', 'email'],
          }),
      ],
      [
        'userManagement.getAuthorizationUrl',
        'eleven scopes sort as strings (10 before 2)',
        (c) =>
          c.userManagement.getAuthorizationUrl({
            clientId: 'c',
            redirectUri: 'https://x.y',
            connectionId: 'conn_1',
            providerScopes: Array.from({ length: 11 }, (_, i) => `s${i}`),
          }),
      ],
      [
        'userManagement.getAuthorizationUrl',
        'organization, context warns',
        (c) => c.userManagement.getAuthorizationUrl({ clientId: 'c', redirectUri: 'https://x.y', organizationId: 'org_1', context: 'ctx' }),
      ],
      [
        'userManagement.getAuthorizationUrl',
        'no target is a TypeError',
        (c) => c.userManagement.getAuthorizationUrl({ clientId: 'c', redirectUri: 'r' }),
      ],
      [
        'userManagement.getAuthorizationUrl',
        'screenHint needs authkit',
        (c) => c.userManagement.getAuthorizationUrl({ clientId: 'c', redirectUri: 'r', provider: 'GoogleOAuth', screenHint: 'sign-in' }),
      ],
    ])
  })

  describe('userManagement: verification, magic auth, password reset, factors, flags', () => {
    cases([
      ['userManagement.getEmailVerification', 'by id', (c) => c.userManagement.getEmailVerification(ids.emailVerification.id)],
      ['userManagement.getEmailVerification', 'missing', (c) => c.userManagement.getEmailVerification('email_verification_missing')],
      [
        'userManagement.sendVerificationEmail',
        'an unverified user',
        (c) => c.userManagement.sendVerificationEmail({ userId: 'user_edsger' }),
      ],
      [
        'userManagement.sendVerificationEmail',
        'already verified is a 400 GenericServerException',
        (c) => c.userManagement.sendVerificationEmail({ userId: ADA }),
      ],
      ['userManagement.sendVerificationEmail', 'no argument is the SDK TypeError', (c) => c.userManagement.sendVerificationEmail()],
      [
        'userManagement.verifyEmail',
        'the code',
        (c) => c.userManagement.verifyEmail({ userId: 'user_edsger', code: ids.emailVerification.code }),
      ],
      ['userManagement.verifyEmail', 'a wrong code', (c) => c.userManagement.verifyEmail({ userId: 'user_edsger', code: '000000' })],
      ['userManagement.getMagicAuth', 'by id', (c) => c.userManagement.getMagicAuth(ids.magicAuth)],
      [
        'userManagement.createMagicAuth',
        'with an invitation token',
        (c) => c.userManagement.createMagicAuth({ email: 'alan@example.com', invitationToken: ids.invitationToken }),
      ],
      [
        'userManagement.createMagicAuth',
        'an unknown email is UnprocessableEntityException',
        (c) => c.userManagement.createMagicAuth({ email: 'nobody@example.com' }),
      ],
      [
        'userManagement.sendMagicAuthCode',
        'resolves to undefined',
        (c) => c.userManagement.sendMagicAuthCode({ email: 'alan@example.com' }),
      ],
      ['userManagement.getPasswordReset', 'by id', (c) => c.userManagement.getPasswordReset(ids.passwordReset.id)],
      ['userManagement.createPasswordReset', 'a known email', (c) => c.userManagement.createPasswordReset({ email: 'alan@example.com' })],
      [
        'userManagement.createPasswordReset',
        'an unknown email is NotFoundException',
        (c) => c.userManagement.createPasswordReset({ email: 'nobody@example.com' }),
      ],
      [
        'userManagement.sendPasswordResetEmail',
        'resolves to undefined',
        (c) => c.userManagement.sendPasswordResetEmail({ email: 'alan@example.com', passwordResetUrl: 'https://x.y/reset' }),
      ],
      [
        'userManagement.resetPassword',
        'with the token',
        (c) => c.userManagement.resetPassword({ token: ids.passwordReset.password_reset_token, newPassword: 'correct horse battery' }),
      ],
      [
        'userManagement.resetPassword',
        'a short password is BadRequestException',
        (c) => c.userManagement.resetPassword({ token: ids.passwordReset.password_reset_token, newPassword: 'short' }),
      ],
      [
        'userManagement.enrollAuthFactor',
        'TOTP with secrets and a challenge',
        (c) => c.userManagement.enrollAuthFactor({ userId: ADA, type: 'totp', totpIssuer: 'Acme', totpUser: 'ada@acme.com' }),
      ],
      [
        'userManagement.enrollAuthFactor',
        'a missing user',
        (c) => c.userManagement.enrollAuthFactor({ userId: 'user_missing', type: 'totp' }),
      ],
      ['userManagement.listUserFeatureFlags', 'the flags of a user', (c) => c.userManagement.listUserFeatureFlags({ userId: ADA })],
      [
        'userManagement.listUserFeatureFlags',
        'pagination options',
        (c) => c.userManagement.listUserFeatureFlags({ userId: ADA, limit: 1, order: 'asc' }),
      ],
      ['userManagement.listUserFeatureFlags', 'no options is the SDK TypeError', (c) => c.userManagement.listUserFeatureFlags()],
    ])
  })

  describe('organizations', () => {
    cases([
      ['organizations.getOrganization', 'domains, no stripeCustomerId key', (c) => c.organizations.getOrganization(ids.acme)],
      ['organizations.getOrganization', 'stripeCustomerId, externalId, metadata', (c) => c.organizations.getOrganization(ids.globex)],
      ['organizations.getOrganization', 'missing', (c) => c.organizations.getOrganization('org_missing')],
      ['organizations.getOrganizationByExternalId', 'found', (c) => c.organizations.getOrganizationByExternalId('ext_globex')],
      ['organizations.listOrganizations', 'no options', (c) => c.organizations.listOrganizations()],
      [
        'organizations.listOrganizations',
        'domains comma-joined',
        (c) => c.organizations.listOrganizations({ domains: ['acme.com', 'globex.com'] }),
      ],
      ['organizations.listOrganizations', 'limit', (c) => c.organizations.listOrganizations({ limit: 1 })],
      [
        'organizations.createOrganization',
        'with an idempotency key',
        (c) =>
          c.organizations.createOrganization(
            {
              name: 'Initech',
              domainData: [{ domain: 'initech.com', state: 'verified' }],
              externalId: 'ext_initech',
              metadata: { size: 'm' },
            },
            { idempotencyKey: 'idem-initech' },
          ),
      ],
      ['organizations.createOrganization', 'name only', (c) => c.organizations.createOrganization({ name: 'Hooli' })],
      [
        'organizations.createOrganization',
        'a verified domain of another is ConflictException',
        (c) => c.organizations.createOrganization({ name: 'Copycat', domainData: [{ domain: 'acme.com', state: 'verified' }] }),
      ],
      [
        'organizations.createOrganization',
        'a used external id is a 400 GenericServerException',
        (c) => c.organizations.createOrganization({ name: 'Dup', externalId: 'ext_globex' }),
      ],
      ['organizations.createOrganization', 'no name is UnprocessableEntityException', (c) => c.organizations.createOrganization({})],
      [
        'organizations.updateOrganization',
        'fields and stripeCustomerId',
        (c) =>
          c.organizations.updateOrganization({
            organization: ids.acme,
            name: 'Acme Corp',
            stripeCustomerId: 'cus_999',
            metadata: { tier: 'silver' },
            domainData: [{ domain: 'acme.com', state: 'verified' }],
          }),
      ],
      [
        'organizations.updateOrganization',
        'missing',
        (c) => c.organizations.updateOrganization({ organization: 'org_missing', name: 'X' }),
      ],
      ['organizations.deleteOrganization', 'resolves to undefined', (c) => c.organizations.deleteOrganization(ids.globex)],
      [
        'organizations.listOrganizationRoles',
        'roles, no listMetadata',
        (c) => c.organizations.listOrganizationRoles({ organizationId: ids.acme }),
      ],
      [
        'organizations.listOrganizationFeatureFlags',
        'the flags of an organization',
        (c) => c.organizations.listOrganizationFeatureFlags({ organizationId: ids.acme }),
      ],
      [
        'organizations.listOrganizationFeatureFlags',
        'a missing organization',
        (c) => c.organizations.listOrganizationFeatureFlags({ organizationId: 'org_missing' }),
      ],
      [
        'organizations.listOrganizationApiKeys',
        'the keys of an organization',
        (c) => c.organizations.listOrganizationApiKeys({ organizationId: ids.acme }),
      ],
      [
        'organizations.listOrganizationApiKeys',
        'limit and order',
        (c) => c.organizations.listOrganizationApiKeys({ organizationId: ids.acme, limit: 1, order: 'asc' }),
      ],
      ['organizations.listOrganizationApiKeys', 'no options is the SDK TypeError', (c) => c.organizations.listOrganizationApiKeys()],
      [
        'organizations.createOrganizationApiKey',
        'with permissions and an idempotency key',
        (c) =>
          c.organizations.createOrganizationApiKey(
            { organizationId: ids.acme, name: 'Nightly', permissions: ['posts:write'] },
            { idempotencyKey: 'key-1' },
          ),
      ],
      [
        'organizations.createOrganizationApiKey',
        'no name is UnprocessableEntityException with requirements',
        (c) => c.organizations.createOrganizationApiKey({ organizationId: ids.acme }),
      ],
    ])
  })

  describe('directorySync', () => {
    cases([
      ['directorySync.listDirectories', 'states mapped (linked → active, unlinked → inactive)', (c) => c.directorySync.listDirectories()],
      ['directorySync.listDirectories', 'by organization', (c) => c.directorySync.listDirectories({ organizationId: ids.acme })],
      ['directorySync.listDirectories', 'search', (c) => c.directorySync.listDirectories({ search: 'azu' })],
      ['directorySync.getDirectory', 'linked', (c) => c.directorySync.getDirectory(ids.directory)],
      ['directorySync.getDirectory', 'unlinked', (c) => c.directorySync.getDirectory(ids.unlinkedDirectory)],
      ['directorySync.deleteDirectory', 'resolves to undefined', (c) => c.directorySync.deleteDirectory(ids.unlinkedDirectory)],
      [
        'directorySync.listUsers',
        'by directory (emails, username, jobTitle kept)',
        (c) => c.directorySync.listUsers({ directory: ids.directory }),
      ],
      ['directorySync.listUsers', 'by group', (c) => c.directorySync.listUsers({ group: ids.group })],
      ['directorySync.getUser', 'with role, roles and groups', (c) => c.directorySync.getUser(ids.directoryUser)],
      ['directorySync.getUser', 'missing', (c) => c.directorySync.getUser('directory_user_missing')],
      ['directorySync.listGroups', 'by directory (no object key)', (c) => c.directorySync.listGroups({ directory: ids.directory })],
      ['directorySync.listGroups', 'by user', (c) => c.directorySync.listGroups({ user: ids.directoryUser })],
      ['directorySync.getGroup', 'a group', (c) => c.directorySync.getGroup(ids.group)],
    ])
  })

  describe('auditLogs', () => {
    test('auditLogs.createEvent: the SDK body, an explicit idempotency key', async () => {
      const { mine, ourRequests } = await differential('auditLogs.createEvent', (c) =>
        c.auditLogs.createEvent(ids.acme, event({ version: 2 }), { idempotencyKey: 'evt-1' }),
      )
      assert.equal(mine.value, undefined)
      assert.deepStrictEqual(JSON.parse(ourRequests[0].body), {
        event: {
          action: 'document.viewed',
          version: 2,
          occurred_at: '2024-05-06T07:08:09.123Z',
          actor: { id: ADA, type: 'user', name: 'Ada', metadata: { role: 'admin' } },
          targets: [{ id: 'doc_1', type: 'document' }],
          context: { location: '1.2.3.4', user_agent: 'Chrome/104' },
          metadata: { k: 1, ok: true },
        },
        organization_id: ids.acme,
      })
    })

    cases([
      ['auditLogs.createEvent', 'an automatic workos-node-<uuid> key', (c) => c.auditLogs.createEvent(ids.acme, event())],
      ['auditLogs.createEvent', 'without userAgent', (c) => c.auditLogs.createEvent(ids.acme, event({ context: { location: '::1' } }))],
      [
        'auditLogs.createEvent',
        'an invalid event is UnprocessableEntityException with requirements',
        (c) => c.auditLogs.createEvent(ids.acme, event({ targets: undefined, context: { userAgent: 'x' } })),
      ],
      ['auditLogs.createEvent', 'an unknown organization', (c) => c.auditLogs.createEvent('org_missing', event())],
      ['auditLogs.createEvent', 'no context is the SDK TypeError', (c) => c.auditLogs.createEvent(ids.acme, event({ context: undefined }))],
      ['auditLogs.createEvent', 'occurredAt must be a Date', (c) => c.auditLogs.createEvent(ids.acme, event({ occurredAt: '2024-01-01' }))],
      [
        'auditLogs.createExport',
        'Dates as ISO strings, every filter',
        (c) =>
          c.auditLogs.createExport({
            organizationId: ids.acme,
            rangeStart: new Date('2024-01-01T00:00:00Z'),
            rangeEnd: new Date('2024-02-01T00:00:00Z'),
            actions: ['document.viewed'],
            actorNames: ['Ada'],
            actorIds: [ADA],
            targets: ['document'],
          }),
      ],
      ['auditLogs.getExport', 'ready, with url', (c) => c.auditLogs.getExport(ids.export)],
      ['auditLogs.getExport', 'missing', (c) => c.auditLogs.getExport('audit_log_export_missing')],
      [
        'auditLogs.createSchema',
        'actor, targets and metadata types, an idempotency key',
        (c) =>
          c.auditLogs.createSchema(
            {
              action: 'document.viewed',
              actor: { metadata: { role: 'string' } },
              targets: [{ type: 'document', metadata: { size: 'number' } }, { type: 'folder' }],
              metadata: { ip: 'string' },
            },
            { idempotencyKey: 'schema-1' },
          ),
      ],
      [
        'auditLogs.createSchema',
        'targets only',
        (c) => c.auditLogs.createSchema({ action: 'user.signed_in', targets: [{ type: 'user' }] }),
      ],
      ['auditLogs.createSchema', 'no targets is the SDK TypeError', (c) => c.auditLogs.createSchema({ action: 'x' })],
    ])
  })

  describe('sso', () => {
    cases([
      ['sso.listConnections', 'no options (connectionType and type)', (c) => c.sso.listConnections()],
      ['sso.listConnections', 'by organization', (c) => c.sso.listConnections({ organizationId: ids.acme })],
      ['sso.listConnections', 'by type', (c) => c.sso.listConnections({ connectionType: 'GoogleOAuth' })],
      ['sso.getConnection', 'with organization', (c) => c.sso.getConnection(ids.connection)],
      ['sso.getConnection', 'without organization (undefined key)', (c) => c.sso.getConnection(ids.oauthConnection)],
      ['sso.deleteConnection', 'resolves to undefined', (c) => c.sso.deleteConnection(ids.oauthConnection)],
      [
        'sso.getAuthorizationUrl',
        'organization',
        (c) => c.sso.getAuthorizationUrl({ clientId: 'client_123', redirectUri: 'https://x.y/cb', organization: 'org_1', state: 's t' }),
      ],
      [
        'sso.getAuthorizationUrl',
        'provider with params and scopes',
        (c) =>
          c.sso.getAuthorizationUrl({
            clientId: 'client_123',
            redirectUri: 'https://x.y/cb',
            provider: 'GoogleOAuth',
            providerScopes: ['a', 'b'],
            providerQueryParams: { prompt: 'consent' },
            domainHint: 'acme.com',
            loginHint: 'ada@acme.com',
            connection: 'conn_1',
          }),
      ],
      [
        'sso.getAuthorizationUrl',
        'domain warns',
        (c) => c.sso.getAuthorizationUrl({ clientId: 'c', redirectUri: 'r', domain: 'acme.com' }),
      ],
      ['sso.getAuthorizationUrl', 'no target is an Error', (c) => c.sso.getAuthorizationUrl({ clientId: 'c', redirectUri: 'r' })],
      ['sso.getProfileAndToken', 'with oauthTokens', (c) => c.sso.getProfileAndToken({ code: 'code_tokens', clientId: emu.clientId })],
      ['sso.getProfileAndToken', 'oauthTokens undefined', (c) => c.sso.getProfileAndToken({ code: 'code_plain', clientId: emu.clientId })],
      ['sso.getProfileAndToken', 'a bad code is OauthException', (c) => c.sso.getProfileAndToken({ code: 'nope', clientId: emu.clientId })],
      [
        'sso.getProfileAndToken',
        'a bad client id is OauthException',
        (c) => c.sso.getProfileAndToken({ code: 'code_plain', clientId: 'client_other' }),
      ],
      ['sso.getProfile', 'with the access token', (c) => c.sso.getProfile({ accessToken: ids.accessToken })],
      ['sso.getProfile', 'a bad token is UnauthorizedException', (c) => c.sso.getProfile({ accessToken: 'at_bad' })],
    ])
  })

  describe("the instance's own members", () => {
    cases([
      ['.get', 'a path: { data }', (c) => c.get(`/organizations/${ids.acme}`)],
      [
        '.get',
        'a query and an access token',
        (c) => c.get('/sso/profile', { accessToken: ids.accessToken, query: { a: 'b c', skip: undefined, empty: '' } }),
      ],
      ['.get', 'a list with a query', (c) => c.get('/user_management/users', { query: { limit: 2, order: 'asc' } })],
      ['.get', 'a missing path is NotFoundException naming it', (c) => c.get('/organizations/org_missing')],
      ['.post', 'an entity', (c) => c.post('/user_management/users', { email: 'post@example.com', first_name: 'Post' })],
      ['.post', 'an idempotency key', (c) => c.post('/organizations', { name: 'Posted' }, { idempotencyKey: 'post-1' })],
      [
        '.post',
        'a form (URLSearchParams)',
        (c) =>
          c.post(
            '/sso/token',
            new URLSearchParams({
              client_id: emu.clientId,
              client_secret: emu.apiKey,
              grant_type: 'authorization_code',
              code: 'code_plain',
            }),
          ),
      ],
      [
        '.post',
        'an answer without a body is { data: null }',
        (c) => c.post('/user_management/sessions/revoke', { session_id: ids.session }),
      ],
      ['.put', 'an entity', (c) => c.put('/user_management/users/user_grace', { first_name: 'G' })],
      ['.delete', 'resolves to undefined', (c) => c.delete(`/organizations/${ids.globex}`)],
      ['.delete', 'a missing path', (c) => c.delete('/connections/conn_missing', { force: true })],
      ['.version', "7.x's version", (c) => c.version],
      ['.emitWarning', 'a process warning of type WorkOS', (c) => c.emitWarning('careful')],
      ['.createWebhookClient', 'a webhooks module', (c) => members(c.createWebhookClient())],
      ['.createActionsClient', 'an actions module', (c) => members(c.createActionsClient())],
    ])

    test('.getCryptoProvider, .createHttpClient, .createIronSessionProvider: SDK internals, a [WorkOS] error naming each', () => {
      for (const name of ['getCryptoProvider', 'createHttpClient', 'createIronSessionProvider']) {
        assert.equal(typeof sdk[name], 'function')
        assert.throws(() => ours[name](), { message: new RegExp(`^\\[WorkOS\\] workos\\.${name}\\(\\): `) })
        h.covered.add(`.${name}`)
      }
    })

    test('a path on another origin is refused before anything is sent (7.x sends the API key there)', async () => {
      emu.resetLog()
      await assert.rejects(ours.get('http://evil.example/steal'), { name: 'TypeError', message: /is not on http:\/\/127\.0\.0\.1/ })
      await assert.rejects(ours.post('//evil.example/x', {}), TypeError)
      assert.equal(apiRequests().length, 0)
    })
  })

  describe('errors and clients', () => {
    test('a bad API key is UnauthorizedException', () =>
      differential('userManagement.getUser', (c) => c.userManagement.getUser(ADA), {
        clients: [new SdkWorkOS('sk_wrong', clientOptions()), new pkg.WorkOS('sk_wrong', clientOptions())],
      }))

    test('the exception classes are exported under the SDK names', () => {
      for (const name of API_ERRORS) assert.equal(typeof pkg[name], 'function', name)
      for (const name of Object.keys(sdkPackage).filter((n) => /Exception$/.test(n))) {
        if (name !== 'SignatureVerificationException') assert.equal(typeof pkg[name], 'function', name)
      }
    })

    test('the constructor: baseURL, missing key, appInfo and config.headers', async () => {
      for (const options of [
        {},
        { apiHostname: 'api.example.com' },
        { apiHostname: 'h', port: 8443 },
        { https: false, apiHostname: 'h', port: 80 },
      ]) {
        assert.equal(new pkg.WorkOS('sk', { ...options }).baseURL, new SdkWorkOS('sk', { ...options }).baseURL, JSON.stringify(options))
      }
      const saved = process.env.WORKOS_API_KEY
      delete process.env.WORKOS_API_KEY
      try {
        assert.throws(() => new SdkWorkOS(), { name: 'NoApiKeyProvidedException' })
        assert.throws(
          () => new pkg.WorkOS(),
          (err) => err instanceof pkg.NoApiKeyProvidedException && err.status === 500,
        )
      } finally {
        if (saved !== undefined) process.env.WORKOS_API_KEY = saved
      }
      const extra = { appInfo: { name: 'mytool', version: '1.2.3' }, config: { headers: { 'X-Custom': 'yes' } }, clientId: 'client_x' }
      await differential('userManagement.getUser', (c) => c.userManagement.getUser(ADA), {
        clients: [new SdkWorkOS(emu.apiKey, clientOptions(extra)), new pkg.WorkOS(emu.apiKey, clientOptions(extra))],
      })
      emu.resetLog()
      await new pkg.WorkOS(emu.apiKey, clientOptions(extra)).userManagement.getUser(ADA)
      assert.match(emu.requests.at(-1).headers['user-agent'], / mytool: 1\.2\.3$/)
      assert.equal(new pkg.WorkOS('sk', clientOptions(extra)).clientId, 'client_x')
    })

    test('getClient() returns the provider instance, which answers like the SDK', async () => {
      pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
      const client = pkg.getClient()
      assert.ok(client instanceof pkg.WorkOS)
      assert.equal(pkg.getClient(), client, 'one instance')
      await differential(
        'userManagement.listOrganizationMemberships',
        (c) => c.userManagement.listOrganizationMemberships({ userId: ADA }),
        {
          clients: [sdk, client],
        },
      )
    })
  })

  describe('pagination', () => {
    test('autoPagination() across three pages equals the SDK, without fetching the first page twice', async () => {
      const { mine, theirs, ourRequests, theirRequests } = await differential(
        'directorySync.listUsers',
        (c) => c.directorySync.listUsers({ directory: ids.bigDirectory }).then((list) => list.autoPagination()),
        { requests: false },
      )
      assert.equal(theirs.value.length, 230)
      assert.equal(mine.value.length, 230)
      const pages = (requests) => requests.map((r) => `${r.query.limit ?? '-'}:${r.query.after ?? '-'}`)
      assert.deepStrictEqual(pages(theirRequests).slice(0, 2), ['-:-', '100:-'], 'the SDK fetches the first page again')
      assert.equal(theirRequests.length, 4)
      assert.deepStrictEqual(pages(ourRequests), [
        '-:-',
        `100:${mine.value[9].id}`,
        `100:${mine.value[109].id}`,
        `100:${mine.value[209].id}`,
      ])
    })

    test('autoPagination() of a list that fits a walk page, and with limit (first page only)', async () => {
      const walk = (options) => (c) => c.userManagement.listUsers(options).then((list) => list.autoPagination())
      const { mine } = await differential('userManagement.listUsers', walk({ organizationId: ids.bulk }), { requests: false })
      assert.equal(mine.value.length, 25)
      const limited = await differential('userManagement.listUsers', walk({ organizationId: ids.bulk, limit: 5 }))
      assert.equal(limited.mine.value.length, 5)
      await differential(
        'userManagement.listOrganizationMemberships',
        (c) => c.userManagement.listOrganizationMemberships({ organizationId: ids.acme }).then((list) => list.autoPagination()),
        { requests: false },
      )
    })

    test('autoPagination() of listAuthFactors (a list whose options carry a path id)', async () => {
      const { mine } = await differential(
        'userManagement.listAuthFactors',
        (c) => c.userManagement.listAuthFactors({ userId: ADA }).then((list) => list.autoPagination()),
        { requests: false },
      )
      assert.equal(mine.value.length, 2)
    })

    test('autoPagination() with before starts over, as the SDK does', async () => {
      const first = await sdk.directorySync.listUsers({ directory: ids.bigDirectory, limit: 100 })
      const before = first.data[60].id
      const { mine, theirs } = await differential('directorySync.listUsers', (c) =>
        c.directorySync.listUsers({ directory: ids.bigDirectory, before }).then((list) => list.autoPagination()),
      )
      assert.equal(theirs.value.length, 60)
      assert.equal(mine.value.length, 60)
    })
  })

  describe('faults: the SDK error, or a successful retry, never a crash', () => {
    const orgPath = () => `/organizations/${ids.acme}`
    const getOrg = (c) => c.organizations.getOrganization(ids.acme)
    const slow = () => ({
      clients: [new SdkWorkOS(emu.apiKey, clientOptions({ timeout: 250 })), new pkg.WorkOS(emu.apiKey, clientOptions({ timeout: 250 }))],
    })
    const faulted = async (kind, times, invoke = getOrg, options = {}) => {
      // Each client meets the same fault: set it again before each.
      const clients = options.clients || [sdk, ours]
      let turn = 0
      return differential(
        'organizations.getOrganization',
        (c) => {
          emu.clearFaults()
          emu.fault(options.path || orgPath(), kind, { times })
          turn += 1
          return invoke(c, turn)
        },
        { compare: false, clients },
      ).finally(() => emu.clearFaults())
    }

    test('429 with Retry-After: 1: the SDK throws, ours waits 1 s and succeeds', async () => {
      const started = Date.now()
      const { mine, theirs, ourRequests } = await faulted(
        { status: 429, body: { message: 'Slow down' }, headers: { 'retry-after': '1' } },
        1,
      )
      assert.equal(theirs.error.name, 'RateLimitExceededException')
      assert.equal(theirs.error.retryAfter, 1)
      assert.equal(mine.value.id, ids.acme)
      assert.equal(ourRequests.length, 2)
      assert.ok(Date.now() - started >= 1000)
    })

    test('429 that persists: after 3 retries, the SDK RateLimitExceededException', async () => {
      const { mine, theirs, ourRequests } = await faulted(
        { status: 429, body: { message: 'Slow down', code: 'rate_limited' }, headers: { 'retry-after': '0' } },
        10,
      )
      assert.equal(ourRequests.length, 4, 'the first attempt and 3 retries')
      assertSameError(mine.error, theirs.error)
      assert.equal(mine.error.retryAfter, 0)
    })

    test('500 then success: the SDK throws GenericServerException, ours retries', async () => {
      const { mine, theirs, ourRequests } = await faulted('500', 1)
      assert.equal(theirs.error.name, 'GenericServerException')
      assert.equal(theirs.error.status, 500)
      assert.equal(mine.value.id, ids.acme)
      assert.equal(ourRequests.length, 2)
    })

    test('a retried POST carries the same Idempotency-Key on every attempt', async () => {
      const create = (options) => (c) => c.organizations.createOrganization({ name: 'Retried' }, options)
      let result = await faulted('500', 1, create(undefined), { path: '/organizations' })
      assert.equal(result.ourRequests.length, 2)
      assert.match(result.ourRequests[0].idempotencyKey, new RegExp(`^retry-${UUID}$`))
      assert.equal(result.ourRequests[1].idempotencyKey, result.ourRequests[0].idempotencyKey)
      assert.equal(result.mine.value.name, 'Retried')
      result = await faulted('500', 1, create({ idempotencyKey: 'mine-1' }), { path: '/organizations' })
      assert.deepStrictEqual(
        result.ourRequests.map((r) => r.idempotencyKey),
        ['mine-1', 'mine-1'],
      )
    })

    test('createEvent is retried by both (7.x retries that path), with its key kept', async () => {
      const { mine, theirs, ourRequests, theirRequests } = await faulted('500', 1, (c) => c.auditLogs.createEvent(ids.acme, event()), {
        path: '/audit_logs/events',
      })
      assert.equal(theirs.error, undefined)
      assert.equal(mine.error, undefined)
      assert.equal(theirRequests.length, 2)
      assert.equal(ourRequests.length, 2)
      assert.equal(ourRequests[1].idempotencyKey, ourRequests[0].idempotencyKey)
    })

    test('a hang past the timeout: OauthException 408 as the SDK, after the retries', async () => {
      const { mine, theirs, ourRequests } = await faulted('hang', 10, getOrg, slow())
      assert.equal(theirs.error.name, 'OauthException')
      assertSameError(mine.error, theirs.error)
      assert.equal(mine.error.message, 'Error: Request timeout')
      assert.equal(ourRequests.length, 4)
    })

    test('a hang once: ours times out and succeeds on the retry', async () => {
      const { mine, theirs } = await faulted('hang', 1, getOrg, slow())
      assert.equal(theirs.error.status, 408)
      assert.equal(mine.value.id, ids.acme)
    })

    test('an error answer that is not JSON: the SDK "Unexpected error: ParseError"', async () => {
      const html = { status: 502, body: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html', 'retry-after': '0' } }
      const { mine, theirs, ourRequests } = await faulted(html, 10)
      assert.equal(ourRequests.length, 4)
      assert.equal(mine.error.constructor, Error)
      assert.equal(mine.error.message, theirs.error.message)
      assert.match(mine.error.message, /^Unexpected error: ParseError: Unexpected token '<'/)
      for (const field of ['name', 'message', 'rawBody', 'rawStatus', 'status']) {
        assert.deepStrictEqual(mine.error.cause[field], theirs.error.cause[field], `cause.${field}`)
      }
      assert.match(mine.error.cause.requestID, /^req_/)
      const once = await faulted({ ...html, status: 500 }, 1)
      assert.equal(once.mine.value.id, ids.acme)
    })

    test('a 200 whose JSON is broken: ours a ParseError (7.x: TypeError "Body is unusable")', async () => {
      const { mine, theirs } = await faulted('garbage', 1)
      assert.equal(theirs.error.constructor, TypeError, 'the 7.x bug')
      assert.match(theirs.error.message, /Body is unusable/)
      assert.ok(mine.error instanceof pkg.ParseError)
      assert.equal(mine.error.status, 500)
      assert.equal(mine.error.rawStatus, 200)
      assert.equal(mine.error.rawBody, '<html>{"not": json')
      assert.equal(
        mine.error.message,
        (() => {
          try {
            JSON.parse('<html>{"not": json')
          } catch (e) {
            return e.message
          }
        })(),
      )
      assert.match(mine.error.requestID, /^req_/)
    })

    test('a dropped connection: "Unexpected error: TypeError: fetch failed" as the SDK, or a retry', async () => {
      const once = await faulted('drop', 1)
      assert.equal(once.theirs.error.message, 'Unexpected error: TypeError: fetch failed')
      assert.equal(once.mine.value.id, ids.acme)
      const { mine, theirs, ourRequests } = await faulted('drop', 10)
      assert.equal(ourRequests.length, 4)
      assert.equal(mine.error.constructor, Error)
      assert.equal(mine.error.message, theirs.error.message)
      assert.equal(mine.error.cause.constructor, TypeError)
      assert.equal(mine.error.cause.message, 'fetch failed')
    })
  })

  describe('deliberate differences from 7.82', () => {
    test('path parameters are percent-encoded; "." and ".." are refused', async () => {
      const { ourRequests, theirRequests } = await differential('userManagement.getUser', (c) => c.userManagement.getUser('a/../b'), {
        compare: false,
      })
      assert.equal(theirRequests[0].path, '/user_management/users/b', '7.x lets the id walk the path')
      assert.equal(ourRequests[0].path, '/user_management/users/a%2F..%2Fb')
      emu.resetLog()
      await assert.rejects(ours.userManagement.getUser('..'), TypeError)
      await assert.rejects(ours.organizations.getOrganization('.'), TypeError)
      assert.equal(apiRequests().length, 0, 'nothing sent')
      const spaced = await differential(
        'organizations.getOrganizationByExternalId',
        (c) => c.organizations.getOrganizationByExternalId('ext 1/2'),
        { compare: false },
      )
      assert.equal(spaced.theirRequests[0].path, '/organizations/external_id/ext%201/2')
      assert.equal(spaced.ourRequests[0].path, '/organizations/external_id/ext%201%2F2')
    })

    test('POSTs carry an automatic retry-<uuid> Idempotency-Key (7.x: none)', async () => {
      const { ourRequests, theirRequests } = await differential('userManagement.sendInvitation', (c) =>
        c.userManagement.sendInvitation({ email: 'k@acme.com' }),
      )
      assert.equal(theirRequests[0].idempotencyKey, undefined)
      assert.match(ourRequests[0].idempotencyKey, new RegExp(`^retry-${UUID}$`))
    })
  })

  describe('completeness', () => {
    test("the whole instance surface is 7.82's: every module, every member name, of new WorkOS() and getClient()", (t) => {
      const theirs = surface(sdk)
      pkg.workosProvider(configFor(emu, 'http://127.0.0.1:1'))
      for (const [what, client] of [
        ['new WorkOS()', ours],
        ['getClient()', pkg.getClient()],
      ]) {
        const mine = surface(client)
        assert.deepStrictEqual(Object.keys(mine).sort(), Object.keys(theirs).sort(), `${what}: modules`)
        for (const module of Object.keys(theirs))
          assert.deepStrictEqual(mine[module], theirs[module], `${what}: ${module || 'the instance'}`)
      }
      const counts = Object.entries(theirs).map(([module, list]) => `${module || '(instance)'} ${list.length}`)
      t.diagnostic(`${names(theirs).length} members: ${counts.join(', ')}`)
    })

    test('the differential test files share the surface, each member in exactly one', () => {
      for (const name of names(surface(sdk))) {
        assert.equal(Object.values(OWNERS).filter((owns) => owns(name)).length, 1, name)
      }
    })

    test("every member of this file's part was compared with the SDK", (t) => {
      t.diagnostic(`${h.assertCovered('client.test.js')} members compared`)
    })

    test('the emulator answered in the wire format of the WorkOS OpenAPI document', (t) => {
      const { checked, problems } = api.openApiProblems()
      assert.deepStrictEqual(problems, [])
      assert.ok(checked.length >= 60, `checked ${checked.length}: ${checked.join(', ')}`)
      t.diagnostic(`${checked.length} kinds of request and answer checked against the OpenAPI document`)
    })
  })
})
