'use strict'
// Plain Node: load the binary that sits next to this file.
module.exports = require('./workos.linux-x64-gnu.node')
