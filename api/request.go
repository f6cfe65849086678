package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
)

// MaxBodyBytes bounds request bodies (docs/api.md).
const MaxBodyBytes = 1 << 20

// readBody reads the whole body, refusing more than MaxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, pinglinks.Errorf(pinglinks.ECodeMalformed, "could not read the request body")
	}
	if len(b) > MaxBodyBytes {
		return nil, pinglinks.Errorf(pinglinks.ECodeTooLarge, "request body is larger than %d bytes", MaxBodyBytes)
	}
	return b, nil
}

// decode parses a JSON object body into v. Unknown fields are ignored. With
// optional, an empty body leaves v as it is (action endpoints).
func decode(r *http.Request, v any, optional bool) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		if optional {
			return nil
		}
		return pinglinks.Errorf(pinglinks.ECodeMalformed, "a JSON request body is required")
	}
	if b[0] != '{' {
		return pinglinks.Errorf(pinglinks.ECodeMalformed, "the request body must be a JSON object")
	}
	if err := checkJSONText(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return pinglinks.Invalid(te.Field, "must be %s", jsonTypeName(te.Type.Kind().String()))
		case errors.As(err, &se):
			return pinglinks.Errorf(pinglinks.ECodeMalformed, "the request body is not valid JSON (at byte %d)", se.Offset)
		default:
			return pinglinks.Errorf(pinglinks.ECodeMalformed, "the request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.More() {
		return pinglinks.Errorf(pinglinks.ECodeMalformed, "the request body must hold exactly one JSON object")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "of another type"
}

// pathID parses a UUID path segment; a malformed one is a 422 (docs/api.md).
func pathID(r *http.Request, name string) (uuid.UUID, error) {
	raw := r.PathValue(name)
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, pinglinks.Invalid(name, "must be a UUID")
	}
	return id, nil
}

// parseUUID parses a UUID given in a body or query at property.
func parseUUID(property, raw string) (uuid.UUID, error) {
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, pinglinks.Invalid(property, "must be a UUID")
	}
	return id, nil
}

// isObject reports whether raw is absent, null or a JSON object.
func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null")) || raw[0] == '{'
}

// nonNull returns raw, or nil for an explicit JSON null.
func nonNull(raw json.RawMessage) json.RawMessage {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	return raw
}

// required copies *src into *dst, or reports field as missing.
func required[T any](errs *pinglinks.Errors, field string, src, dst *T) {
	if src == nil {
		errs.Add(field, "is required")
		return
	}
	*dst = *src
}

// requiredID parses a required UUID field; uuid.Nil when it is wrong.
func requiredID(errs *pinglinks.Errors, field string, src *string) uuid.UUID {
	if src == nil {
		errs.Add(field, "is required")
		return uuid.Nil
	}
	id, err := parseUUID(field, *src)
	if err != nil {
		*errs = append(*errs, err.(*pinglinks.Error))
	}
	return id
}

// requiredVAT parses a required VAT rate field (a percentage).
func requiredVAT(errs *pinglinks.Errors, field string, src *json.Number) pinglinks.VATRate {
	if src == nil {
		errs.Add(field, "is required")
		return 0
	}
	v, err := pinglinks.ParseVATRate(src.String())
	if err != nil {
		errs.Add(field, "%s", err)
	}
	return v
}
