{{/* The release's full name, at most 63 characters. */}}
{{- define "keelson.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object of the release. */}}
{{- define "keelson.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: keelson
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels that select the operator pods. */}}
{{- define "keelson.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "keelson.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "keelson.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The namespaces Keelson manages with scope: namespaced (the release namespace included). */}}
{{- define "keelson.managedNamespaces" -}}
{{- $all := append .Values.rbac.namespaces .Release.Namespace | uniq -}}
{{- join "," $all -}}
{{- end -}}

{{/* The leader-election Lease, in the release namespace. */}}
{{- define "keelson.leaseName" -}}
{{- printf "%s-leader" (include "keelson.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- /* The shards' Lease names start with this: <group>-shard-<n>, <group>-member-<pod>. */}}
{{- define "keelson.shardGroup" -}}
{{- include "keelson.fullname" . | trunc 50 | trimSuffix "-" -}}
{{- end -}}
