// Judges docs/openapi.yaml with independent tools: @apidevtools/swagger-parser validates the
// description, ajv checks its examples and real server responses against its schemas.
//
//   node openapi_check.js validate FILE
//     Validates FILE; prints {"routes": [[METHOD, PATH]...], "examples": N, "failures": [...]}
//     where failures lists examples that do not match their schemas.
//   node openapi_check.js responses FILE EXCHANGES
//     EXCHANGES (JSON): [{"method", "path" (a path of FILE), "status", "content_type", "allow",
//     "body", "component" (optional: a response of components.responses to judge by instead
//     of the operation's)}]. Prints {"checked": N, "failures": [...]}.
"use strict";
const fs = require("fs");
const SwaggerParser = require("@apidevtools/swagger-parser");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function newAjv() {
  // strict: false lets OpenAPI's own keywords (example, description on $ref siblings) pass.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

function schemaErrors(ajv, schema, value) {
  const validate = ajv.compile(schema);
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

function declaredRoutes(api) {
  const routes = [];
  for (const [path, item] of Object.entries(api.paths)) {
    for (const method of METHODS) {
      if (item[method]) routes.push([method.toUpperCase(), path]);
    }
  }
  return routes.sort();
}

// Every example of every media type, with where it is.
function* mediaExamples(api) {
  const responsesOf = (where, responses) =>
    Object.entries(responses || {}).map(([status, response]) => [`${where} ${status}`, response]);
  const places = [];
  for (const [path, item] of Object.entries(api.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (op.requestBody) places.push([`${method} ${path} request`, op.requestBody]);
      places.push(...responsesOf(`${method} ${path}`, op.responses));
    }
  }
  places.push(...responsesOf("components.responses", api.components.responses));
  for (const [where, holder] of places) {
    for (const [type, media] of Object.entries(holder.content || {})) {
      if (media.example !== undefined) yield [`${where} ${type}`, media.schema, media.example];
      for (const [name, example] of Object.entries(media.examples || {})) {
        yield [`${where} ${type} ${name}`, media.schema, example.value];
      }
    }
  }
}

async function validateFile(file) {
  // validate() dereferences as it goes and leaves the object it returns dereferenced.
  const api = await SwaggerParser.validate(file);
  const ajv = newAjv();
  const failures = [];
  let examples = 0;
  for (const [where, schema, example] of mediaExamples(api)) {
    examples += 1;
    const errors = schemaErrors(ajv, schema, example);
    if (errors) failures.push({ where, errors });
  }
  return { routes: declaredRoutes(api), examples, failures };
}

function sameMethods(allow, declared) {
  const given = (allow || "").split(",").map((m) => m.trim()).filter(Boolean).sort();
  return JSON.stringify(given) === JSON.stringify([...declared].sort());
}

function judge(api, ajv, exchange) {
  const item = api.paths[exchange.path];
  if (!item && exchange.component !== "NotFound") return "path not declared";
  let response;
  if (exchange.component) {
    response = api.components.responses[exchange.component];
    if (!response) return `no component response ${exchange.component}`;
    if (exchange.component === "MethodNotAllowed") {
      const declared = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
      if (declared.includes(exchange.method)) return "405 for a declared method";
      if (!sameMethods(exchange.allow, declared)) {
        return `Allow "${exchange.allow}" is not the declared ${declared.join(", ")}`;
      }
    }
  } else {
    const op = item[exchange.method.toLowerCase()];
    if (!op) return `${exchange.method} not declared`;
    response = op.responses[String(exchange.status)];
    if (!response) return `status ${exchange.status} not declared`;
  }

  const content = response.content || {};
  if (Object.keys(content).length === 0) {
    return exchange.body === "" ? null : "a body where none is declared";
  }
  const media = content[exchange.content_type];
  if (!media) return `content type "${exchange.content_type}" not declared`;
  if (!exchange.content_type.startsWith("application/json")) {
    return typeof exchange.body === "string" ? null : "not text";
  }
  let body;
  try {
    body = JSON.parse(exchange.body);
  } catch (error) {
    return `body is not JSON: ${error.message}`;
  }
  return schemaErrors(ajv, media.schema, body);
}

async function checkResponses(file, exchangesFile) {
  const api = await SwaggerParser.dereference(file);
  const ajv = newAjv();
  const exchanges = JSON.parse(fs.readFileSync(exchangesFile, "utf8"));
  const failures = [];
  for (const exchange of exchanges) {
    const problem = judge(api, ajv, exchange);
    if (problem) {
      failures.push({ exchange: `${exchange.method} ${exchange.path} ${exchange.status}`, problem,
                      body: String(exchange.body).slice(0, 300) });
    }
  }
  return { checked: exchanges.length, failures };
}

async function main() {
  const [mode, file, exchanges] = process.argv.slice(2);
  const result = mode === "validate" ? await validateFile(file)
    : mode === "responses" ? await checkResponses(file, exchanges)
    : null;
  if (!result) throw new Error(`unknown mode ${mode}`);
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error.message || error) }) + "\n");
  process.exit(1);
});
