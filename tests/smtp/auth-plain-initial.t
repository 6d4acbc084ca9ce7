# AUTH PLAIN with an initial response (RFC 4954 4, RFC 4616): 235 2.7.0,
# then a message whose Received field says ESMTPA and names the user.
# EHLO after AUTH no longer lists AUTH.  The log has the user, never the
# password or its base64.
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
C: MAIL FROM:<alice@example.test>
S: 250 2.1.0 Sender ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Recipient ok
C: DATA
S: 354 *
C: Subject: hello
C:
C: sent after AUTH
C: .
S: 250 2.0.0 Ok: queued as *
C: EHLO again.example
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-SIZE *
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250 CHUNKING
C: QUIT
S: 221 2.0.0 Bye
S: <EOF>
!mail example.test/bob 1
!header example.test/bob Received: from client.example ([192.0.2.7])
!header example.test/bob *(Authenticated sender: alice@example.test)
!header example.test/bob *by mx.example.test (cartero) with ESMTPA id *
!body example.test/bob Subject: hello\r\n\r\nsent after AUTH\r\n
!log event=auth result=ok mech=PLAIN user="alice@example.test" ip=192.0.2.7
!nolog result=fail
!nolog s3cr3t-alice
!nolog czNjcjN0LWFsaWNl
!nolog AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyM3QtYWxpY2U=
