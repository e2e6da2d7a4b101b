// Deployment settings. Locally the back-office is served by `make run` next to the API, so everything is empty.
// A deployment overwrites this file: apiBase (the HTTP API's URL) and cognito (the user pool's managed login).
export default {
  apiBase: "",
  // cognito: { domain: "https://<prefix>.auth.<region>.amazoncognito.com", clientId: "<app client id>" },
  cognito: null,
};
