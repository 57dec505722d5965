'use strict'
// The exception classes of @workos-inc/node 7.x, with the same names, fields and messages, so
// `instanceof` checks and `err.status` / `err.code` reads in tool code keep working, and the rules
// that turn a reply of the native transport (src/workos/) into one of them: an HTTP answer by its
// status and body members (the SDK's `handleHttpError`, reading the body with `JSON.parse` as the SDK
// does), a failure without an answer by its kind. No exception holds the client or its API key.

class UnauthorizedException extends Error {
  constructor(requestID) {
    super()
    this.requestID = requestID
    this.status = 401
    this.name = 'UnauthorizedException'
    this.message = 'Could not authorize the request. Maybe your API key is invalid?'
  }
}

class NotFoundException extends Error {
  constructor({ code, message, path, requestID }) {
    super()
    this.status = 404
    this.name = 'NotFoundException'
    this.code = code
    this.message = message ?? `The requested path '${path}' could not be found.`
    this.requestID = requestID
  }
}

class ConflictException extends Error {
  constructor({ error, message, requestID }) {
    super()
    this.status = 409
    this.name = 'ConflictException'
    this.requestID = requestID
    if (message) this.message = message
    else if (error) this.message = `Error: ${error}`
    else this.message = 'An conflict has occurred on the server.'
  }
}

class UnprocessableEntityException extends Error {
  constructor({ code, errors, message, requestID }) {
    super()
    this.status = 422
    this.name = 'UnprocessableEntityException'
    this.message = 'Unprocessable entity'
    this.requestID = requestID
    if (message) this.message = message
    if (code) this.code = code
    if (errors) {
      const requirement = errors.length === 1 ? 'requirement' : 'requirements'
      this.message = `The following ${requirement} must be met:\n`
      for (const { code: c } of errors) this.message = this.message.concat(`\t${c}\n`)
    }
  }
}

class BadRequestException extends Error {
  constructor({ code, errors, message, requestID }) {
    super()
    this.status = 400
    this.name = 'BadRequestException'
    this.message = 'Bad request'
    this.requestID = requestID
    if (message) this.message = message
    if (code) this.code = code
    if (errors) this.errors = errors
  }
}

class GenericServerException extends Error {
  constructor(status, message, rawData, requestID) {
    super()
    this.status = status
    this.rawData = rawData
    this.requestID = requestID
    this.name = 'GenericServerException'
    this.message = 'The request could not be completed.'
    if (message) this.message = message
  }
}

class RateLimitExceededException extends GenericServerException {
  constructor(message, requestID, retryAfter) {
    super(429, message, {}, requestID)
    this.retryAfter = retryAfter
    this.name = 'RateLimitExceededException'
  }
}

class OauthException extends Error {
  constructor(status, requestID, error, errorDescription, rawData) {
    super()
    this.status = status
    this.requestID = requestID
    this.error = error
    this.errorDescription = errorDescription
    this.rawData = rawData
    this.name = 'OauthException'
    if (error && errorDescription) this.message = `Error: ${error}\nError Description: ${errorDescription}`
    else if (error) this.message = `Error: ${error}`
    else this.message = 'An error has occurred.'
  }
}

class ParseError extends Error {
  constructor({ message, rawBody, rawStatus, requestID }) {
    super(message)
    this.name = 'ParseError'
    this.status = 500
    this.rawBody = rawBody
    this.rawStatus = rawStatus
    this.requestID = requestID
  }
}

class NoApiKeyProvidedException extends Error {
  constructor() {
    super()
    this.status = 500
    this.name = 'NoApiKeyProvidedException'
    this.message =
      'Missing API key. Pass it to the constructor (new WorkOS("sk_test_Sz3IQjepeSWaI4cMS4ms4sMuU")) ' +
      'or define it in the WORKOS_API_KEY environment variable.'
  }
}

class SignatureVerificationException extends Error {
  constructor(message) {
    super(message || 'Signature verification failed.')
    this.name = 'SignatureVerificationException'
  }
}

/** jose's `JWTInvalid` (what 7.x's `decodeJwt` throws for a malformed access token). */
class JWTInvalid extends Error {
  constructor(message) {
    super(message)
    this.code = 'ERR_JWT_INVALID'
    this.name = 'JWTInvalid'
  }
}
const jwtInvalid = (message) => new JWTInvalid(message)

const decoder = new TextDecoder()

/** The body of a native reply as text, decoded as `fetch`'s `text()` decodes it. */
const textOf = (reply) => decoder.decode(reply.body)

/** A `ParseError` for a successful answer the client cannot read. */
function parseError(reply, message, rawBody = textOf(reply)) {
  return new ParseError({ message, rawBody, rawStatus: reply.status, requestID: reply.requestId })
}

/** The exception of an HTTP error answer, as `handleHttpError` of 7.x chooses and words it. */
function httpError(status, data, { requestId: requestID, path, retryAfter }) {
  const { code, error_description: errorDescription, error, errors, message } = data ?? {}
  switch (status) {
    case 401:
      return new UnauthorizedException(requestID)
    case 409:
      return new ConflictException({ requestID, message, error })
    case 422:
      return new UnprocessableEntityException({ code, errors, message, requestID })
    case 404:
      return new NotFoundException({ code, message, path, requestID })
    case 429:
      return new RateLimitExceededException(message, requestID, retryAfter ? Number(retryAfter) : null)
  }
  if (error || errorDescription) return new OauthException(status, requestID, error, errorDescription, data)
  if (code && errors) return new BadRequestException({ code, errors, message, requestID })
  return new GenericServerException(status, message, data, requestID)
}

/**
 * The exception for a reply that is not a successful answer, or `undefined` for one that is. An error
 * answer whose body is not JSON is the SDK's `Error('Unexpected error: ParseError: …')`.
 */
function replyError(reply) {
  switch (reply.failure) {
    case undefined:
    case null:
    case 'page':
      break
    case 'invalid_argument':
      return new TypeError(reply.detail)
    case 'timeout':
      // 7.x turns its abort into a 408 answer without a request id.
      return httpError(408, { error: 'Request timeout' }, { ...reply, requestId: '' })
    case 'network': {
      const cause = new TypeError('fetch failed', { cause: new Error(reply.detail) })
      return new Error(`Unexpected error: ${cause}`, { cause })
    }
    default:
      return new Error(`Unexpected error: ${reply.detail}`)
  }
  if (reply.status >= 200 && reply.status < 300) return undefined
  const text = textOf(reply)
  let data
  try {
    data = JSON.parse(text)
  } catch (err) {
    const cause = parseError(reply, err.message, text)
    return new Error(`Unexpected error: ${cause}`, { cause })
  }
  return httpError(reply.status, data, reply)
}

module.exports = {
  jwtInvalid,
  textOf,
  parseError,
  replyError,
  exceptions: {
    BadRequestException,
    ConflictException,
    GenericServerException,
    NoApiKeyProvidedException,
    NotFoundException,
    OauthException,
    ParseError,
    RateLimitExceededException,
    SignatureVerificationException,
    UnauthorizedException,
    UnprocessableEntityException,
  },
}
