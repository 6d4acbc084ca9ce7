# Mechanisms: an unknown one is 504 5.5.4 (RFC 4954 4; SCRAM-SHA-1 and the
# channel-binding SCRAM-SHA-256-PLUS are not offered); AUTH without a
# mechanism is 501; an initial response with the server-first CRAM-MD5 is
# 501 5.7.0; the mechanism name is case-insensitive.  A [plugin passwd]
# key is configured so that CRAM-MD5 is offered (the key's content and
# mode do not matter for a refusal that comes before any lookup).
# Users for these transcripts (users file, passwd plugin):
#   alice@example.test  {PLAIN}        s3cr3t-alice
#   bob@example.test    {SHA512-CRYPT} hunter2-bob
!file users alice@example.test:{PLAIN}s3cr3t-alice\n
!file users bob@example.test:{SHA512-CRYPT}$6$cArTeRoSaLt$tpkvHGnNqEpdUUH.SwewQYNs.2vdlujkPgqTXy55BK8Q8Cuub2cYNXvFqzFod4dIYjCd9Qju6B6eK7JsmInAp0\n
!conf [smtpd]
!conf auth = passwd
!conf auth_requires_tls = no
!conf auth_delay = 50
!conf [plugin passwd]
!conf file = users
!file key 0123456789abcdef0123456789abcdef
!conf key = key
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256
S: 250 CHUNKING
C: AUTH FOO
S: 504 5.5.4 Unrecognized authentication type
C: AUTH DIGEST-MD5
S: 504 5.5.4 Unrecognized authentication type
C: AUTH SCRAM-SHA-256-PLUS cCx0bHMtdW5pcXVlLG49dXNlcixyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA==
S: 504 5.5.4 Unrecognized authentication type
C: AUTH SCRAM-SHA-1 biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM
S: 504 5.5.4 Unrecognized authentication type
C: AUTH PLAINX AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 504 5.5.4 Unrecognized authentication type
C: AUTH
S: 501 5.5.4 This command needs an argument
C: AUTH CRAM-MD5 YWxpY2UgYjkxM2E2MDJjN2VkYTdhNDk1YjRlNmU3MzM0ZDM4OTA=
S: 501 5.7.0 No initial response allowed with this mechanism
C: auth plain AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!log code=504 status=5.5.4 cmd=AUTH
!log code=501 status=5.7.0 cmd=AUTH
!log event=auth result=ok mech=plain user="alice@example.test"
!nolog Too many authentication failures
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
