/**
 * One Ingress `web` (Prefix / → Service web:80) and its NodePort Service, with the given
 * annotation lines (each indented four spaces), for the plan tests that vary annotations.
 */
export const webManifests = (annotations: string): string => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
${annotations}
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
`;
