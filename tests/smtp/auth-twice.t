# AUTH after a successful AUTH is 503 5.5.1 (RFC 4954 4), whatever the
# mechanism or credentials; the first identity stays (Received names
# alice, not bob).
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
C: AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
S: 503 5.5.1 Already authenticated
C: AUTH LOGIN
S: 503 5.5.1 Already authenticated
C: AUTH FOO
S: 503 5.5.1 Already authenticated
C: RSET
S: 250 2.0.0 Reset state
C: AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
S: 503 5.5.1 Already authenticated
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: twice
C:
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!header example.test/alice *(Authenticated sender: alice@example.test)
!log code=503 status=5.5.1 cmd=AUTH text="Already authenticated"
!nolog user="bob@example.test"
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
!nolog hunter2-bob
!nolog aHVudGVyMi1ib2I=
!nolog AGJvYkBleGFtcGxlLnRlc3QAaHVudGVyMi1ib2I=
