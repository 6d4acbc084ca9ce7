# PLAIN with an authorization identity (RFC 4616 2): the server must check
# that authcid may act as authzid.  alice's right password with authzid
# bob is refused 535 (the log names alice, the one who authenticated);
# an authzid equal to the authcid (any case) is fine.
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
C: AUTH PLAIN Ym9iQGV4YW1wbGUudGVzdABhbGljZUBleGFtcGxlLnRlc3QAczNjcjN0LWFsaWNl
S: 535 5.7.8 Authentication credentials invalid
C: AUTH PLAIN QUxJQ0VAZXhhbXBsZS50ZXN0AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
S: 235 2.7.0 Authentication successful
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: authzid
C:
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!header example.test/bob *(Authenticated sender: alice@example.test)
!log event=auth result=fail mech=PLAIN user="alice@example.test" ip=192.0.2.7
!log event=auth result=ok mech=PLAIN user="alice@example.test" ip=192.0.2.7
!nolog user="bob@example.test"
!nolog Ym9iQGV4YW1wbGUudGVzdABhbGljZUBleGFtcGxlLnRlc3QAczNjcjN0LWFsaWNl
!nolog QUxJQ0VAZXhhbXBsZS50ZXN0AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
