const semver = require('semver')
console.log(semver.inc(process.argv[2], 'patch'))
