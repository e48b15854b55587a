// Package shared is the wire contract between the HMS server and its clients: REST request and response
// bodies, roles and the error shape. It uses the standard library only, so the desktop app, the server
// and tools can all import it.
package shared
