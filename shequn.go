// Package shequn holds what every domain of shequn shares, and nothing
// else: the error type and its codes with the table that maps them to a
// reply and an HTTP status, the Notice marker and the Notifier that
// delivers notices, and the interfaces of the update log and the dialogue
// store that every store adapter implements.
//
// The domain packages (membership, groups, assignments) depend on this
// package and not on each other for these; transports (bot, payments) and
// adapters (store/…) depend on it to speak the domains' language. It
// imports nothing of the module, so it can never take part in a cycle.
package shequn
