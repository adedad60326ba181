{{/* Names, labels and the one image helper shared by every template. */}}

{{- define "anneal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped base name; the release name alone when it already contains the chart's name. */}}
{{- define "anneal.fullname" -}}
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

{{- define "anneal.gatewayName" -}}
{{- printf "%s-gateway" (include "anneal.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object; "component" says which part of Anneal it belongs to. */}}
{{- define "anneal.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "anneal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: anneal
{{- end -}}

{{- define "anneal.gatewaySelectorLabels" -}}
app.kubernetes.io/name: {{ include "anneal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "anneal.gatewayServiceAccountName" -}}
{{- if .Values.serviceAccount.gateway.create -}}
{{- default (include "anneal.gatewayName" .) .Values.serviceAccount.gateway.name -}}
{{- else -}}
{{- required "serviceAccount.gateway.name is required when serviceAccount.gateway.create is false" .Values.serviceAccount.gateway.name -}}
{{- end -}}
{{- end -}}

{{- define "anneal.workerServiceAccountName" -}}
{{- if .Values.serviceAccount.worker.create -}}
{{- default (printf "%s-worker" (include "anneal.fullname" .) | trunc 63 | trimSuffix "-") .Values.serviceAccount.worker.name -}}
{{- else -}}
{{- required "serviceAccount.worker.name is required when serviceAccount.worker.create is false" .Values.serviceAccount.worker.name -}}
{{- end -}}
{{- end -}}

{{/* The claim mounted at /data: an existing one, or the one this chart creates. */}}
{{- define "anneal.storageClaimName" -}}
{{- default (printf "%s-store" (include "anneal.fullname" .) | trunc 63 | trimSuffix "-") .Values.storage.existingClaim -}}
{{- end -}}

{{/*
The image reference for a component: <registry>/<repository>/<name>, then @<digest> or :<tag>.
Empty fields fall back to defaultImageRegistry, defaultImageRepository and defaultImageTag (then the appVersion).
Usage: include "anneal.image" (dict "root" . "image" .Values.gateway.image)
*/}}
{{- define "anneal.image" -}}
{{- $root := .root -}}
{{- $image := .image -}}
{{- $path := join "/" (compact (list (default $root.Values.defaultImageRegistry $image.registry) (default $root.Values.defaultImageRepository $image.repository) $image.name)) -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $path $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $path (coalesce $image.tag $root.Values.defaultImageTag $root.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}
