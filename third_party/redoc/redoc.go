// Package redoc holds Redoc's standalone bundle, which renders the API
// reference page from the OpenAPI document. It is vendored from the npm
// registry unchanged (redoc@2.5.4, package/bundles/redoc.standalone.js,
// sha256 dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b; MIT licence in LICENSE, its dependencies' notices in
// redoc.standalone.js.LICENSE.txt) so that the page loads nothing from a
// third-party origin. Version 2 rather than 3: Redoc 3 sends telemetry to
// Redocly's servers unless told not to.
//
// To update: npm pack redoc@VERSION, copy package/bundles/redoc.standalone.js,
// its .LICENSE.txt and package/LICENSE here, change Version and the path in
// api/openapi.yaml.
package redoc

import _ "embed"

// Version is the npm version of the vendored bundle.
const Version = "2.5.4"

// Standalone is bundles/redoc.standalone.js, a script that renders the
// <redoc spec-url="…"> element of the page it is loaded in.
//
//go:embed redoc.standalone.js
var Standalone []byte
