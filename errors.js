'use strict'
// The exception classes of @workos-inc/node 7.x, with the same names, fields and messages, so
// `instanceof` checks and `err.status` / `err.code` reads in tool code keep working. Which class a
// failure becomes is decided in Rust (src/workos/errors.rs); this file only gives it a JS shape.

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

/** What `JSON.parse` says about `text`: the SDK's ParseError carries V8's own message. */
function jsonParseMessage(text) {
  try {
    JSON.parse(text)
    return 'Unexpected response'
  } catch (err) {
    return err.message
  }
}

function parseError(e, requestID) {
  const message = e.message ?? jsonParseMessage(e.rawBody ?? '')
  return new ParseError({ message, rawBody: e.rawBody, rawStatus: e.status, requestID })
}

/**
 * An `Error` the SDK throws for a failure that is not an API answer, `Unexpected error: <cause>`,
 * with the wrapped error as `cause`: a failed fetch (`TypeError: fetch failed`, whose own cause says
 * what failed), or an error answer whose body is not JSON (`ParseError`).
 */
function unexpectedError(e, requestID) {
  if (e.cause === 'ParseError') {
    const cause = parseError({ ...e, message: undefined }, requestID)
    return new Error(`Unexpected error: ${cause}`, { cause })
  }
  if (e.cause === 'TypeError') {
    const cause = new TypeError('fetch failed', e.detail ? { cause: new Error(e.detail) } : undefined)
    return new Error(e.message, { cause })
  }
  return new Error(e.message ?? 'Unexpected error')
}

/** Builds the exception for an `ApiErrorData` produced by the native client. */
function toException(e) {
  const requestID = e.requestId ?? ''
  const message = e.message ?? undefined
  const code = e.code ?? undefined
  switch (e.kind) {
    case 'UnauthorizedException':
      return new UnauthorizedException(requestID)
    case 'NotFoundException':
      return new NotFoundException({ code, message, path: e.path, requestID })
    case 'ConflictException':
      return new ConflictException({ error: e.error ?? undefined, message, requestID })
    case 'UnprocessableEntityException':
      return new UnprocessableEntityException({ code, errors: e.errors ?? undefined, message, requestID })
    case 'BadRequestException':
      return new BadRequestException({ code, errors: e.errors ?? undefined, message, requestID })
    case 'RateLimitExceededException':
      return new RateLimitExceededException(message, requestID, e.retryAfter ?? null)
    case 'OauthException':
      return new OauthException(e.status, requestID, e.error ?? undefined, e.errorDescription ?? undefined, e.rawData)
    case 'GenericServerException':
      return new GenericServerException(e.status, message, e.rawData, requestID)
    case 'ParseError':
      return parseError(e, requestID)
    case 'TypeError':
      return new TypeError(message)
    default:
      return unexpectedError(e, requestID)
  }
}

module.exports = {
  toException,
  exceptions: {
    BadRequestException,
    ConflictException,
    GenericServerException,
    NoApiKeyProvidedException,
    NotFoundException,
    OauthException,
    ParseError,
    RateLimitExceededException,
    UnauthorizedException,
    UnprocessableEntityException,
  },
}
