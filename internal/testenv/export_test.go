package testenv

// APR1 exposes the password hash to the tests.
var APR1 = apr1

// Descendants exposes the process-tree walk to the tests.
var Descendants = descendants
