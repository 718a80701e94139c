// Redocly plugin: house rules the built-in ones don't cover. Loaded by redocly.yaml.

/** True when the media type, or its schema, carries an example (a union: every branch does). */
function hasExample(media, resolve) {
  if (media.example !== undefined || (media.examples && Object.keys(media.examples).length > 0)) return true
  const schemaHasExample = (schema) => {
    const node = schema?.$ref ? resolve(schema).node : schema
    if (!node) return false
    if (node.example !== undefined || (Array.isArray(node.examples) && node.examples.length > 0)) return true
    const branches = node.anyOf ?? node.oneOf
    return Array.isArray(branches) && branches.length > 0 && branches.every(schemaHasExample)
  }
  return schemaHasExample(media.schema)
}

function reportMissing(what) {
  return (media, { report, location, resolve }) => {
    if (!hasExample(media, resolve)) report({ message: `${what} needs an example (\`examples\` on its schema).`, location: location.key() })
  }
}

/** Every request body and every 2xx response body shows an example. */
function operationExamples() {
  return {
    Operation: {
      RequestBody: { MediaType: reportMissing('The request body') },
      Response: {
        skip: (_response, key) => !String(key).startsWith('2'),
        MediaType: reportMissing('A success response'),
      },
    },
  }
}

export default function storesApiRules() {
  return {
    id: 'stores-api',
    rules: { oas3: { 'operation-examples': operationExamples } },
  }
}
