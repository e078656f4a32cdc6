{{/* Names. The release's full name prefixes every object, so two releases never collide. */}}
{{- define "albatross.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "albatross.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "albatross.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "albatross.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "albatross.webhookServiceName" -}}
{{- printf "%s-webhook" (include "albatross.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "albatross.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "albatross.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "albatross.digestKeySecretName" -}}
{{- printf "%s-digest-key" (include "albatross.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "albatross.leaseName" -}}
{{- printf "%s-leader" (include "albatross.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "albatross.ingressClassParamsName" -}}
{{- default .Values.ingressClass.name .Values.ingressClassParams.name -}}
{{- end -}}

{{/* Where cert-manager's Secret is mounted when it issues the webhook's certificate. */}}
{{- define "albatross.webhookCertDir" -}}
/var/run/albatross/webhook-certs
{{- end -}}

{{- define "albatross.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "albatross.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "albatross.selectorLabels" -}}
app.kubernetes.io/name: {{ include "albatross.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The controller's flags, from the values. */}}
{{- define "albatross.args" -}}
- controller
- --cluster-name={{ .Values.clusterName }}
{{- with .Values.region }}
- --aws-region={{ . }}
{{- end }}
{{- with .Values.vpcId }}
- --aws-vpc-id={{ . }}
{{- end }}
- --ingress-class={{ .Values.ingressClass.name }}
{{- with .Values.watchNamespace }}
- --watch-namespace={{ . }}
{{- end }}
- --log-level={{ .Values.logLevel }}
- --metrics-addr=:{{ .Values.ports.metrics }}
- --health-addr=:{{ .Values.ports.health }}
- --leader-election={{ .Values.leaderElection.enabled }}
- --leader-election-namespace={{ .Release.Namespace }}
- --leader-election-name={{ include "albatross.leaseName" . }}
- --digest-key-secret-name={{ include "albatross.digestKeySecretName" . }}
- --digest-key-secret-namespace={{ .Release.Namespace }}
{{- if .Values.webhook.enabled }}
- --webhook-port={{ .Values.webhook.port }}
{{- if .Values.webhook.certManager.enabled }}
- --webhook-cert-dir={{ include "albatross.webhookCertDir" . }}
{{- else }}
- --webhook-configuration-name={{ .Values.webhook.configurationName }}
- --webhook-service-name={{ include "albatross.webhookServiceName" . }}
- --webhook-service-namespace={{ .Release.Namespace }}
- --webhook-secret-name={{ include "albatross.webhookSecretName" . }}
{{- end }}
{{- else }}
- --webhook-port=0
{{- end }}
{{- range .Values.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}
