package api

import _ "embed"

// OpenAPI is the API's OpenAPI 3.1 description, served at /openapi.yaml
// (with this installation's public URL as its server, see apiref.go).
//
//go:embed openapi.yaml
var OpenAPI []byte
