# AUTH during a mail transaction is 503 5.5.1 (RFC 4954 4), after MAIL
# and after RCPT; the transaction goes on and delivers without the AUTH
# (plain ESMTP).  After RSET, AUTH works.
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
S: 220 mx.example.test ESMTP cartero
C: EHLO client.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-AUTH PLAIN LOGIN*
S: 250 CHUNKING
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 503 5.5.1 AUTH not allowed during a mail transaction
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: AUTH LOGIN
S: 503 5.5.1 AUTH not allowed during a mail transaction
C: DATA
S: 354 *
C: Subject: no auth
C:
C: .
S: 250 2.0.0 Ok: queued as *
C: MAIL FROM:<carol@example.net>
S: 250 2.1.0 Sender ok
C: RSET
S: 250 2.0.0 Reset state
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/alice 1
!header example.test/alice *by mx.example.test (cartero) with ESMTP id *
!log text="AUTH not allowed during a mail transaction"
!log event=auth result=ok mech=PLAIN user="alice@example.test"
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
