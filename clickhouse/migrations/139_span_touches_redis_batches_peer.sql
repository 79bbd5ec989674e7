-- The classification of spans another writer inserts (collector/touches/ says the same; parity.test.ts compares them),
-- as migration 131 left it, and:
-- - a Redis or Valkey command sent in a transaction or a pipeline is the command: @opentelemetry/instrumentation-ioredis
--   and -redis (0.71) name it in db.operation.name `MULTI set`, `PIPELINE SET` (the command is the word after the
--   prefix), or `MULTI` / `PIPELINE` alone for node-redis's batch of different commands (the command is the statement's
--   first word, `LPUSH orders [1 other arguments]`). Its direction was `unknown`: a queue written by one integration in a
--   pipeline and read by another showed as two flows with an integration at either end. ioredis's own `multi` and `exec`
--   commands still say no direction.
-- - a PRODUCER span naming only the remote service (peer.service) writes to it and a CONSUMER span reads from it, as a
--   CLIENT span calls it: they touched nothing. The service is peer.service, else its later names service.peer.name and
--   server.service.name.
-- weft_span_touches is a Null table: making its view anew loses nothing stored.

DROP VIEW IF EXISTS weft_span_touches_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS weft_span_touches_mv TO weft_span_touches AS
SELECT
    ts,
    end_ts,
    trace_id,
    span_id,
    integration,
    service,
    domain,
    t.1 AS direction,
    t.2 AS ep_kind,
    t.3 AS ep_sys,
    t.4 AS ep_host,
    t.5 AS ep_name,
    t.6 AS ep_peer,
    is_error,
    toUInt8(n = 1) AS is_primary,
    if(n = 1, records_all, 0) AS records,
    duration_ms
FROM (
    SELECT
        ts, end_ts, trace_id, span_id, integration, service, domain, is_error, records_all, duration_ms,
        multiIf(
            src_x != '' OR tgt_x != '',
                arrayFilter(x -> x.5 != '', [('read', 'system', '', '', src_x, ''), ('write', 'system', '', '', tgt_x, '')]),
            msg_sys != '',
                -- MassTransit's consume activity names no destination: the receive activity it runs under reads the queue (126)
                -- a Celery task run with no queue (`task.apply()`, eager mode) read no broker (128)
                multiIf(msg_sys = 'socket.io' OR (msg_temporary AND dest = '') OR (dest = '' AND A['messaging.masstransit.consumer_type'] != '')
                            OR (dest = '' AND msg_sys = 'celery' AND A['messaging.system'] = ''),
                        [('', '', '', '', '', '')],
                        dest != '', [(dir, 'messaging', msg_sys, ep_host_v, dest, peer)],
                        [(dir, 'unnamed', 'messaging', ep_host_v, msg_sys, peer)]),
            -- otelsql's span of a statement prepared (`sql.conn.prepare`) runs nothing (125), nor does uptrace's otelsql's
            -- (`db.Prepare`), nor a database/sql call answered driver.ErrSkip, made again as a prepared statement (126)
            db_sys != '', multiIf(NOT db_has_query OR is_mongodb_session OR SpanName IN ('sql.conn.prepare', 'db.Prepare') OR skipped_fast_path,
                                  [('', '', '', '', '', '')],
                                  -- a DynamoDB operation on no table and no item (ListTables…) from a client naming no host (otelaws) (125)
                                  ep_host_v = '' AND empty(db_names), if(db_sys = 'dynamodb' AND db_op != '' AND op_dir = '', [('', '', '', '', '', '')],
                                                                         [(dir, 'unnamed', 'db', '', db_sys, peer)]),
                                  arrayMap(x -> (dir, 'db', db_sys, ep_host_v, x, peer), if(empty(db_names), [''], db_names))),
            -- the Java agent's span of an SQS or SNS management call (GetQueueUrl, CreateTopic…) moves no message (122)
            rpc = 'aws-api' AND lower(rpc_service) IN ('sqs', 'sns', 'amazonsqs', 'amazonsns')
                AND rpc_method NOT IN ('SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch',
                                       'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch', 'Publish', 'PublishBatch'),
                [('', '', '', '', '', '')],
            is_http, multiIf(is_token_request OR is_session_request OR is_socket_upgrade OR is_health_check OR is_checkpoint_store, [('', '', '', '', '', '')],
                        -- an Amazon S3 call touches its bucket, as OpenLineage names an object store (126); ListBuckets names none
                        host_v != '' AND s3_host AND s3_bucket = '', [('', '', '', '', '', '')],
                        host_v != '' AND s3_host, [(dir, 'http', 's3', s3_bucket, s3_name, peer)],
                        -- an AWS Lambda call is the function's, whatever the API version, qualifier or ARN it names it by (129)
                        host_v != '' AND lambda_host AND lambda_fn != '', [(dir, 'http', scheme, ep_host_v, concat('/2015-03-31/functions/', lambda_fn), peer)],
                        -- an AWS Lambda call to LocalStack is the function's, under the Lambda endpoint of the region it names (131)
                        host_v != '' AND localstack AND is_lambda AND lambda_fn != '' AND match(lambda_region, '^[a-z0-9-]+$'),
                            [(dir, 'http', 'https', lambda_rpc_host, concat('/2015-03-31/functions/', lambda_fn), peer)],
                        host_v != '', [(dir, 'http', scheme, ep_host_v, url_path, peer)],
                        peer != '', [(dir, 'peer', '', '', '', peer)],
                        [(dir, 'unnamed', 'http', '', url_path, '')]),
            -- an aws-sdk Lambda call with no HTTP request on it (JavaScript's aws-sdk, Python's botocore) touches the function it
            -- names, as its request to Lambda's endpoint does (129)
            is_lambda AND lambda_rpc_fn != '' AND lambda_rpc_host != '',
                [(dir, 'http', 'https', lambda_rpc_host, concat('/2015-03-31/functions/', lambda_rpc_fn), peer)],
            -- an aws-sdk S3 call naming its bucket and no URL (aws.s3.bucket) touches the bucket (126)
            rpc = 'aws-api' AND lower(rpc_service) IN ('s3', 'amazon s3') AND s3_bucket_attr != '',
                [(dir, 'http', 's3', lower(s3_bucket_attr), '', peer)],
            -- gRPC's standard health service says whether the server is up, never a record of it (122)
            rpc != '' AND (host_v != '' OR peer != ''), if(rpc_service = 'grpc.health.v1.Health', [('', '', '', '', '', '')],
                                                           [(dir, 'rpc', rpc, ep_host_v, rpc_service, peer)]),
            -- a producer's span writes to the service it names, a consumer's reads from it, as a client's calls it (139)
            peer != '' AND (is_client OR is_producer OR is_consumer), [(dir, 'peer', '', '', '', peer)],
            [('', '', '', '', '', '')]
        ) AS touches
    FROM (
        -- layer 10: lambda_host, lambda_fn, lambda_rpc_fn, lambda_rpc_host (129)
        SELECT *,
            -- AWS Lambda's API endpoints: lambda.<region>.amazonaws.com, lambda-fips.…, China's ….amazonaws.com.cn, the
            -- dual-stack lambda.<region>.api.aws
            match(host_v, '^lambda(?:-fips)?\\.[a-z0-9-]+\\.(?:amazonaws\\.com(?:\\.cn)?|api\\.aws)$') AS lambda_host,
            -- the function's name of a FunctionName (a name, name:qualifier, an ARN or a partial one; the aws-sdk escapes an
            -- ARN's colons in a path): from the path `/<API version>/functions/<function>…`, else the span's attribute
            extract(replaceRegexpAll(if(match(toValidUTF8(path_any), '^/+[^/]+/+functions/+([^/]+)'), extract(toValidUTF8(path_any), '^/+[^/]+/+functions/+([^/]+)'), lambda_name_attr),
                                     '%3[Aa]', ':'),
                    '^(?:arn:[^:]*:lambda:[^:]*:[^:]*:function:|[0-9]{12}:function:)?([^:]+)') AS lambda_fn,
            extract(replaceRegexpAll(lambda_name_attr, '%3[Aa]', ':'), '^(?:arn:[^:]*:lambda:[^:]*:[^:]*:function:|[0-9]{12}:function:)?([^:]+)') AS lambda_rpc_fn,
            -- the region given, else the ARN's: its Lambda endpoint; else the span's host when it is one
            lower(if(lambda_region_attr != '', lambda_region_attr, extract(lambda_name_attr, '^arn:[^:]*:lambda:([a-z0-9-]+):'))) AS lambda_region,
            multiIf(match(lambda_region, '^[a-z0-9-]+$'), concat('lambda.', lambda_region, '.amazonaws.com', if(startsWith(lambda_region, 'cn-'), '.cn', '')),
                    lambda_host, host_v, '') AS lambda_rpc_host
        FROM (
        -- layer 9: ep_host_v, localstack, s3_host, s3_parts, s3_bucket, s3_name
        SELECT *,
            concat(if(position(host_v, ':') > 0 AND NOT startsWith(host_v, '/'), concat('[', host_v, ']'), host_v),
                   if(host_v != '' AND match(port_any, '^[0-9]+$') AND toUInt32OrZero(port_any) != 0 AND toString(toUInt32OrZero(port_any)) != default_port,
                      concat(':', toString(toUInt32OrZero(port_any))), '')) AS ep_host_v,
            -- an aws-sdk call to LocalStack, which emulates AWS: to its edge port 4566 or its hosts (131)
            rpc = 'aws-api' AND (endsWith(ep_host_v, ':4566') OR host_v = 'localhost.localstack.cloud' OR endsWith(host_v, '.localhost.localstack.cloud')) AS localstack,
            -- Amazon S3's endpoints: the bucket before `.s3` (virtual-hosted style), else the path's first segment (path
            -- style), else aws.s3.bucket; S3 Control's hosts name an account (126); LocalStack's S3 as S3 (131): its hosts
            -- (`<bucket>.s3.localhost.localstack.cloud`, `s3.localhost.localstack.cloud`) and an aws-sdk S3 call to its edge
            -- port (path style, `http://localhost:4566/<bucket>/<key>`)
            NOT match(host_v, '(?:^|\\.)s3-control[.-]') AND (match(host_v, '^(.+?)\\.s3(?:(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com(?:\\.cn)?|\\.localhost\\.localstack\\.cloud)$') OR match(host_v, '^s3(?:(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com(?:\\.cn)?|\\.localhost\\.localstack\\.cloud)$')
                OR (localstack AND lower(rpc_service) IN ('s3', 'amazon s3'))) AS s3_host,
            splitByChar('/', replaceRegexpAll(path_any, '/{2,}', '/')) AS s3_parts,
            multiIf(match(host_v, '^(.+?)\\.s3(?:(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com(?:\\.cn)?|\\.localhost\\.localstack\\.cloud)$'), extract(host_v, '^(.+?)\\.s3(?:(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com(?:\\.cn)?|\\.localhost\\.localstack\\.cloud)$'),
                    length(s3_parts) > 1 AND s3_parts[2] != '', lower(toValidUTF8(s3_parts[2])),
                    lower(s3_bucket_attr)) AS s3_bucket,
            multiIf(match(host_v, '^(.+?)\\.s3(?:(?:[.-][a-z0-9-]+)*\\.amazonaws\\.com(?:\\.cn)?|\\.localhost\\.localstack\\.cloud)$'), url_path,
                    length(s3_parts) > 1 AND s3_parts[2] != '', toValidUTF8(arrayStringConcat(arrayConcat([''], arraySlice(s3_parts, 3, 2)), '/')),
                    '') AS s3_name
        FROM (
            -- layer 8: host_v, dir
            SELECT *,
                if(startsWith(host_any, '/'), host_any, lower(replaceRegexpAll(trimBoth(host_any), '^\\[|\\]$|\\.+$', ''))) AS host_v,
                multiIf(
                    op = 'read', 'read',
                    op IN ('create', 'update', 'upsert', 'delete', 'write'), 'write',
                    -- a database reached over HTTP names its operation or statement: that decides, not the method
                    db_sys != '' AND op_dir != '', op_dir,
                    db_sys != '' AND sql_dir != '', sql_dir,
                    db_sys != '' AND proc_dir != '', proc_dir,
                    -- a DynamoDB operation that neither reads nor writes items (DescribeTable, ListTables…) says no direction, whatever
                    -- the HTTP method that carried it (122)
                    db_sys = 'dynamodb' AND db_op != '', 'unknown',
                    -- an RPC's method says what the call does, whatever the HTTP method that carried it (122)
                    msg_sys = '' AND db_sys = '' AND rpc != '' AND rpc_dir != '', rpc_dir,
                    -- so does a GraphQL operation's type, sent as a POST whether it reads or writes (128)
                    msg_sys = '' AND db_sys = '' AND gql_dir != '', gql_dir,
                    -- an HTTP POST to an API's read endpoint (a search, a query: the body holds the query), or to a gRPC method that reads
                    -- (Elasticsearch's and OpenSearch's too, when their operation says no direction: `esql.query`, `knn_search`… 128)
                    msg_sys = '' AND (db_sys = '' OR db_sys IN ('elasticsearch', 'opensearch')) AND is_http AND method = 'POST' AND (rpc_path_dir = 'read' OR match(lower(path_any),
                        '/(?:_(?:search|msearch|count|mget|sql|find|all_docs|query|async_search|knn_search|field_caps|terms_enum|termvectors|mtermvectors|ppl|bulk_get)(?:/(?:template|scroll|translate|async))?|_design/[^/]+/_(?:view|search)/[^/]+|search(?:/jql|/approximate-count)?|multi[-_]search|facet-search|documents/fetch|query|queries|suiteql|listrecords|coql|parameterizedsearch|batch/read|issue/bulkfetch|query_range|query_exemplars|\\$query|composite/sobjects/[^/]+|searchquery|searchsuggest|searchautocomplete|search/v[0-9.]+/(?:suggest|autocomplete)|docs/(?:suggest|autocomplete)|docs/search\\.post\\.(?:search|suggest|autocomplete)|getbyids|getmembergroups|getmemberobjects|checkmembergroups|checkmemberobjects|getschedule|findmeetingtimes|[^/]*:(?:search|searchstream|runreport|batchrunreports|runpivotreport|batchrunpivotreports|runrealtimereport|runquery|runaggregationquery|batchget|batchgetbydatafilter|lookup|list)|search/(?:v2/)?jobs(?:/export)?|wql/v1/[^/]+/data|druid/v2/sql|query/sql|sqlqueries\\([^/]*\\)/list|queryservice_postquery|indexes/[^/]+/browse|indexes/\\*/objects|analytics/aggregate|query/(?:timeseries|scalar)|points/(?:scroll|count|recommend|discover|search|query)(?:/batch|/groups)?|action/(?:find|findone|aggregate))/?$')), 'read',
                    method IN ('GET', 'HEAD'), 'read',
                    method IN ('POST', 'PUT', 'PATCH', 'DELETE'), 'write',
                    msgop IN ('receive', 'process', 'deliver'), 'read',
                    msgop IN ('publish', 'send', 'create'), 'write',
                    -- an SQS or SNS call naming no messaging operation (otelaws before semconv 1.39, botocore) does what its RPC method says (125)
                    rpc = 'aws-api' AND rpc_method IN ('SendMessage', 'SendMessageBatch', 'Publish', 'PublishBatch'), 'write',
                    rpc = 'aws-api' AND rpc_method = 'ReceiveMessage', 'read',
                    -- an AWS Lambda Invoke hands the function its payload, as the POST that carries it does (129)
                    rpc = 'aws-api' AND lower(rpc_service) IN ('lambda', 'awslambda') AND rpc_method IN ('Invoke', 'InvokeAsync', 'InvokeWithResponseStream'), 'write',
                    -- the Azure SDKs' older messaging spans say it by their name (`ServiceBusSender.Send`) (128)
                    azure_dir != '', azure_dir,
                    is_producer, 'write',
                    is_consumer, 'read',
                    'unknown') AS dir
            FROM (
                -- layer 7: sql_dir, proc_dir, rpc_dir, rpc_path_dir, host_any, port_any
                SELECT *,
                    multiIf(has(sql_dirs, 'write') OR has(arraySlice(name_dirs, 4), 'write'), 'write',
                            has(sql_dirs, 'read') OR has(arraySlice(name_dirs, 4), 'read'), 'read', '') AS sql_dir,
                    name_dirs[1] AS proc_dir,
                    name_dirs[2] AS rpc_dir,
                    name_dirs[3] AS rpc_path_dir,
                    multiIf(NOT host_has_port, host_given, startsWith(host_given, '['), extract(host_given, '^\\[([^\\]]*)\\]'),
                            extract(host_given, '^([^:]*)')) AS host_any,
                    if(host_has_port AND port_given = '', extract(host_given, '^(?:\\[[^\\]]*\\]|[^:]*):(\\d+)$'), port_given) AS port_any
                FROM (
                    -- layer 6: sql_dirs, name_dirs, host_has_port
                    SELECT *,
                        -- each statement of several (`BEGIN; INSERT …; COMMIT`): a write when one writes, else a read when one reads
                        arrayMap(p -> multiIf(
                            extract(p, '^([A-Z]+)') = 'SELECT' AND match(p, '\\bINTO\\s+(?:TEMP\\w*\\s+|UNLOGGED\\s+|TABLE\\s+)*[A-Z_]')
                                AND NOT match(p, '\\bINTO\\s+(?:OUTFILE|DUMPFILE)\\b'), 'write',
                            -- a SELECT of no table but the system catalog's reads no data (`select version()`, `SELECT 1 FROM DUAL`,
                            -- `select * from information_schema.tables where …`)
                            extract(p, '^([A-Z]+)') = 'SELECT' AND countMatches(p, '\\b(?:FROM|JOIN)\\b') = countMatches(p,
                                '\\b(?:FROM|JOIN)\\s+(?:(?:INFORMATION_SCHEMA|PG_CATALOG|SYS|SYSIBM|SYSCAT)\\.[A-Z0-9_$]+|PG_[A-Z0-9_$]+|V\\$[A-Z0-9_$]+|SQLITE_MASTER|SQLITE_SCHEMA|DUAL)\\b'), '',
                            extract(p, '^([A-Z]+)') IN ('SELECT', 'SHOW', 'VALUES', 'TABLE', 'EXPLAIN', 'DESCRIBE', 'DESC'), 'read',
                            extract(p, '^([A-Z]+)') = 'WITH', if(match(replaceRegexpAll(p, '\\bFOR\\s+(?:NO\\s+KEY\\s+)?UPDATE\\b', ' '),
                                '\\b(?:INSERT|UPDATE|DELETE|MERGE)\\b'), 'write', 'read'),
                            extract(p, '^([A-Z]+)') IN ('INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'LOAD'), 'write',
                            extract(p, '^([A-Z]+)') = 'COPY', if(match(p, '^COPY\\s+[^\\s(]+(?:\\s*\\([^)]*\\))?\\s+FROM\\b'), 'write', 'read'),
                            extract(p, '^([A-Z]+)') = 'CREATE' AND match(p, '^CREATE\\s+(?:\\w+\\s+)*TABLE\\b.*\\bAS\\b'), 'write',
                            ''), arrayMap(x -> upper(replaceRegexpOne(x, '^[\\s(]+', '')), splitByChar(';', q_cased))) AS sql_dirs,
                        -- the directions the verbs of names say (122): of db.stored_procedure.name, of an RPC span's rpc.method, of the method of
                        -- a POST to a gRPC (Connect, Twirp) path, `/crm.v1.CustomerService/GetCustomer`, then of the stored procedure each
                        -- statement calls (`{call upsert_invoice(?)}`, `EXEC dbo.usp_GetCustomers`, a SQL Server span's bare name; not a
                        -- command store's one-word command, as Redis's SAVE)
                        arrayMap(n -> multiIf(match(n, '^(?:(?:get|Get|GET|select|Select|SELECT|sel|Sel|SEL|read|Read|READ|fetch|Fetch|FETCH|list|List|LIST|find|Find|FIND|search|Search|SEARCH|lookup|Lookup|LOOKUP|query|Query|QUERY|qry|Qry|QRY|retrieve|Retrieve|RETRIEVE|count|Count|COUNT|export|Export|EXPORT|extract|Extract|EXTRACT)(?:[^A-Za-z]|$)|(?:get|Get|select|Select|sel|Sel|read|Read|fetch|Fetch|list|List|find|Find|search|Search|lookup|Lookup|query|Query|qry|Qry|retrieve|Retrieve|count|Count|export|Export|extract|Extract)[A-Z])'), 'read',
                                              match(n, '^(?:(?:insert|Insert|INSERT|ins|Ins|INS|update|Update|UPDATE|upd|Upd|UPD|upsert|Upsert|UPSERT|merge|Merge|MERGE|delete|Delete|DELETE|del|Del|DEL|remove|Remove|REMOVE|create|Create|CREATE|add|Add|ADD|save|Save|SAVE|set|Set|SET|put|Put|PUT|write|Write|WRITE|import|Import|IMPORT|load|Load|LOAD|sync|Sync|SYNC|post|Post|POST|store|Store|STORE|append|Append|APPEND|replace|Replace|REPLACE|patch|Patch|PATCH|purge|Purge|PURGE|truncate|Truncate|TRUNCATE|archive|Archive|ARCHIVE|register|Register|REGISTER|submit|Submit|SUBMIT|apply|Apply|APPLY|mark|Mark|MARK|cancel|Cancel|CANCEL|send|Send|SEND|publish|Publish|PUBLISH|enqueue|Enqueue|ENQUEUE|push|Push|PUSH)(?:[^A-Za-z]|$)|(?:insert|Insert|ins|Ins|update|Update|upd|Upd|upsert|Upsert|merge|Merge|delete|Delete|del|Del|remove|Remove|create|Create|add|Add|save|Save|set|Set|put|Put|write|Write|import|Import|load|Load|sync|Sync|post|Post|store|Store|append|Append|replace|Replace|patch|Patch|purge|Purge|truncate|Truncate|archive|Archive|register|Register|submit|Submit|apply|Apply|mark|Mark|cancel|Cancel|send|Send|publish|Publish|enqueue|Enqueue|push|Push)[A-Z])'), 'write',
                                              match(n, '(?:[^A-Za-z](?:get|Get|GET|select|Select|SELECT|sel|Sel|SEL|read|Read|READ|fetch|Fetch|FETCH|list|List|LIST|find|Find|FIND|search|Search|SEARCH|lookup|Lookup|LOOKUP|query|Query|QUERY|qry|Qry|QRY|retrieve|Retrieve|RETRIEVE|count|Count|COUNT|export|Export|EXPORT|extract|Extract|EXTRACT)|[a-z0-9](?:Get|Select|Sel|Read|Fetch|List|Find|Search|Lookup|Query|Qry|Retrieve|Count|Export|Extract))$'), 'read',
                                              match(n, '(?:[^A-Za-z](?:insert|Insert|INSERT|ins|Ins|INS|update|Update|UPDATE|upd|Upd|UPD|upsert|Upsert|UPSERT|merge|Merge|MERGE|delete|Delete|DELETE|del|Del|DEL|remove|Remove|REMOVE|create|Create|CREATE|add|Add|ADD|save|Save|SAVE|set|Set|SET|put|Put|PUT|write|Write|WRITE|import|Import|IMPORT|load|Load|LOAD|sync|Sync|SYNC|post|Post|POST|store|Store|STORE|append|Append|APPEND|replace|Replace|REPLACE|patch|Patch|PATCH|purge|Purge|PURGE|truncate|Truncate|TRUNCATE|archive|Archive|ARCHIVE|register|Register|REGISTER|submit|Submit|SUBMIT|apply|Apply|APPLY|mark|Mark|MARK|cancel|Cancel|CANCEL|send|Send|SEND|publish|Publish|PUBLISH|enqueue|Enqueue|ENQUEUE|push|Push|PUSH)|[a-z0-9](?:Insert|Ins|Update|Upd|Upsert|Merge|Delete|Del|Remove|Create|Add|Save|Set|Put|Write|Import|Load|Sync|Post|Store|Append|Replace|Patch|Purge|Truncate|Archive|Register|Submit|Apply|Mark|Cancel|Send|Publish|Enqueue|Push))$'), 'write', ''),
                            arrayMap(n -> replaceRegexpOne(replaceRegexpOne(extract(n, '([^.[\\]]*)\\]*$'), '^(?:[Uu][Ss][Pp]|[Ss][Pp]|[Uu][Pp]|[Pp][Rr][Oo][Cc]|[Pp][Rr][Cc]|[Pp][Rr]|[Pp]|[Bb][Aa][Tt][Cc][Hh]|[Bb][Uu][Ll][Kk])_+', ''), '^(?:usp|sp|up|proc|prc|pr|batch|Batch|bulk|Bulk)([A-Z])', '\\1'),
                                arrayConcat([db_proc, if(rpc != '', rpc_method, ''), if(method = 'POST', extract(path_any, '^/+(?:twirp/+)?(?:[A-Za-z_][A-Za-z0-9_]*\\.)+[A-Za-z_][A-Za-z0-9_]*/+([A-Za-z_][A-Za-z0-9_]*)/*$'), '')],
                                    arrayMap(x -> if(db_sys IN ('redis', 'valkey', 'memcached'), '', if(extract(x, '^(?:\\{[\\t\\n\\f\\r ]*(?:\\?[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*)?)?(?:[Cc][Aa][Ll][Ll]|[Ee][Xx][Ee][Cc](?:[Uu][Tt][Ee])?|[Bb][Ee][Gg][Ii][Nn])[\\t\\n\\f\\r ]+(?:@[A-Za-z0-9_]+[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*)?([A-Za-z0-9_$#.[\\]]+)') != '', extract(x, '^(?:\\{[\\t\\n\\f\\r ]*(?:\\?[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*)?)?(?:[Cc][Aa][Ll][Ll]|[Ee][Xx][Ee][Cc](?:[Uu][Tt][Ee])?|[Bb][Ee][Gg][Ii][Nn])[\\t\\n\\f\\r ]+(?:@[A-Za-z0-9_]+[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*)?([A-Za-z0-9_$#.[\\]]+)'), extract(x, '^([A-Za-z0-9_$#.[\\]]+)[\\t\\n\\f\\r ]*$'))),
                                        arrayMap(x -> replaceRegexpOne(x, '^[\\s(]+', ''), splitByChar(';', q_cased)))))) AS name_dirs,
                        -- a host attribute that carries its port (`db:5433`, `[2001:db8::9]:8443`; one colon is never IPv6)
                        url_host = '' AND NOT startsWith(host_given, '/') AND match(host_given, '^\\[[^\\]]*\\](?::\\d+)?$|^[^:]*:\\d+$') AS host_has_port
                    FROM (
                        -- layer 5: q_cased, url_path, is_token_request, is_session_request, is_socket_upgrade, is_health_check, is_checkpoint_store, host_given, port_given
                        SELECT *,
                            -- the statement as a tokenizer sees it: comments, string literals and quoted identifiers removed (in its own case: a
                            -- procedure's name is read in it)
                            if(db_text = '' OR op_dir != '', '', replaceRegexpOne(
                                if(db_sys IN ('postgresql', 'cockroachdb', 'redshift'),
                                   replaceRegexpAll(db_text, '(?s)/\\*.*?\\*/|--[^\\n]*|\'(?:[^\'\\\\]|\'\'|\\\\.)*\'|"(?:[^"]|"")*"|`[^`]*`|\\$\\$.*?\\$\\$', ' '),
                                   replaceRegexpAll(db_text, '(?s)/\\*.*?\\*/|--[^\\n]*|#[^\\n]*|\'(?:[^\'\\\\]|\'\'|\\\\.)*\'|"(?:[^"]|"")*"|`[^`]*`|\\$\\$.*?\\$\\$', ' ')),
                                '^[\\s(]+', '')) AS q_cased,
                            -- each run of slashes taken as one, as servers route them (`//api/invoices/42` is `/api/invoices`)
                            toValidUTF8(if(path_any != '', arrayStringConcat(arraySlice(splitByChar('/', replaceRegexpAll(path_any, '/{2,}', '/')), 1, 3), '/'), '')) AS url_path,
                            -- an OAuth 2.0 token request (POST to an authorization server's token endpoint) fetches a credential, not data
                            method = 'POST' AND match(lower(path_any),
                                '/(?:oauth2?|o2|oidc|auth|jwt-auth|authentication|ims|identity|connect|openid-connect)(?:/[^/]+){0,2}(?:/v[0-9.]+)?/(?:token|tokens|access_?token|token-request|revoke|introspect)(?:/bearer|/refresh|/revoke|/introspect|/get|/create|/v[0-9.]+)?/?$|/oauth2?/(?:[^/]+/)*access_token/?$|/app/installations/[^/]+/access_tokens/?$|^/+(?:api/)?(?:v[0-9.]+/)?(?:token|access_?token|revoke)/?$|/as/token(?:\\.oauth2)?/?$|/oauth_token(?:\\.do)?$|/v1/integration/(?:admin|customer)/token/?$') AS is_token_request,
                            -- a session login or logout (SAP Business One's Service Layer, Tableau, Looker, Snowflake's drivers…), whatever the
                            -- method, opens or closes the integration's own session: a credential, not data (113)
                            match(lower(path_any),
                                '/b1s/v[0-9]+/(?:login|logout)/?$|/api/[0-9]+\\.[0-9]+/auth/(?:signin|signout|switchsite)/?$|/api/[0-9]+\\.[0-9]+/(?:login(?:/[^/]+)?|logout)/?$|/api/v1/authn(?:/[^/]+)*/?$|^/+session(?:/v1/login-request|/token-request|/heartbeat|/authenticator-request)?/?$|/entity/auth/(?:login|logout)/?$|/jderest/(?:v[0-9]+/)?(?:tokenrequest(?:/logout|/validate)?|orchestrator/jde-(?:login|logout|validate-session))/?$|/web/session/(?:authenticate|destroy|logout)/?$|/rest/auth/1/session/?$|/login/jwt-session/?$|/qps/(?:[^/]+/)?(?:ticket|session(?:/[^/]+)?)/?$|/idorequestservice/ido/token(?:/[^/]+){1,3}/?$|/tokenresource\\.svc/?$|/biprws/(?:logon/long|logoff)/?$|/api/v[0-9]+\\.[0-9]+/auth/?$|/(?:ma|saas)/api/v2/user/(?:login|logout)/?$|/api/auth/(?:login|logout)/?$') AS is_session_request,
                            -- the request that opens a socket.io or engine.io WebSocket connection (`GET /socket.io/?EIO=4&transport=websocket`):
                            -- a connection, not data; what goes over it is not in the span (115)
                            match(lower(path_any), '/(?:socket|engine)\\.io/?$')
                                AND (match(lower(url), '[?&]transport=websocket(?:[&#]|$)') OR match(lower(toValidUTF8(A['http.target'])), '[?&]transport=websocket(?:[&#]|$)')) AS is_socket_upgrade,
                            -- a health or liveness check of a dependency (GET or HEAD): whether it is up, never a record of it (119)
                            method IN ('GET', 'HEAD') AND match(lower(path_any),
                                '^/+(?:[^/]+/+)?(?:api/+)?(?:v[0-9.]+/+)?(?:health|healthz|healthcheck|health-check|health_check|_health|livez|readyz|ping|_ping)(?:/+(?:live|liveness|ready|readiness|startup|started))?/*$|^/+(?:[^/]+/+)?actuator/+health(?:/+[^/]+)?/*$|^/+-/+(?:healthy|ready)/*$')
                                -- gRPC's standard health check, whatever the method (a POST, as every gRPC call) (122)
                                OR match(lower(path_any), '^/+grpc\\.health\\.v1\\.health/+(?:check|watch)/*$') AS is_health_check,
                            -- an Event Hubs processor's checkpoint store: a partition's checkpoint or ownership blob
                            -- (`<container>/<namespace>/<hub>/<group>/checkpoint/<partition>`), or a listing of them; how far it read,
                            -- not data (128)
                            match(lower(toValidUTF8(path_any)), '^/+(?:[^/]+/+)?[^/]+/+[^/]+\\.servicebus\\.[^/]+/+[^/]+/+[^/]+/+(?:checkpoint|ownership)/+[0-9]+/*$')
                                OR match(lower(url), '[?&]comp=list&(?:[^#]*&)?prefix=[^&#]*\\.servicebus\\.[^&#]*(?:/|%2f)[^&#]*(?:/|%2f)[^&#]*(?:/|%2f)(?:checkpoint|ownership)(?:/|%2f)?(?:[&#]|$)|[?&]prefix=[^&#]*\\.servicebus\\.[^&#]*(?:/|%2f)[^&#]*(?:/|%2f)[^&#]*(?:/|%2f)(?:checkpoint|ownership)(?:/|%2f)?&(?:[^#]*&)?comp=list(?:[&#]|$)') AS is_checkpoint_store,
                            -- the host and port touched, whatever the kind of endpoint
                            -- a server.address or net.peer.name given a whole URL (otelaws' SQS queue URL): its host (126)
                            toValidUTF8(multiIf(url_host != '', url_host,
                                    addr_host != '', addr_host,
                                    http_host != '', extract(http_host, '^(\\[[^\\]]*\\]|[^:]*)'),
                                    A['network.peer.address'] != '', A['network.peer.address'],
                                    A['net.peer.ip'])) AS host_given,
                            toValidUTF8(multiIf(url_host != '', url_port,
                                    A['server.port'] != '', A['server.port'],
                                    A['net.peer.port'] != '', A['net.peer.port'],
                                    addr_port != '', addr_port,
                                    http_host != '', extract(http_host, ':(\\d+)$'),
                                    A['network.peer.port'])) AS port_given
                        FROM (
                            -- layer 4: db_has_query, is_mongodb_session, op_dir, dest, url_host, url_port, addr_host, addr_port, path_any, default_port
                            SELECT *,
                                db_text != '' OR db_op != '' AS db_has_query,
                                -- a MongoDB driver's own commands (a connection check, the handshake, authentication, ending its sessions, a
                                -- transaction's commit) touch no collection (119)
                                db_sys = 'mongodb' AND db_op IN ('PING', 'HELLO', 'ISMASTER', 'BUILDINFO', 'SASLSTART', 'SASLCONTINUE', 'AUTHENTICATE',
                                                                  'GETNONCE', 'LOGOUT', 'ENDSESSIONS', 'COMMITTRANSACTION', 'ABORTTRANSACTION') AS is_mongodb_session,
                                multiIf(
                                    -- stores whose clients name each call after the store's API, by system (only theirs: a SQL driver's
                                    -- `query` says nothing of a statement's direction)
                                    db_sys = 'dynamodb', multiIf(db_op IN ('GETITEM', 'BATCHGETITEM', 'QUERY', 'SCAN', 'TRANSACTGETITEMS'), 'read',
                                        db_op IN ('PUTITEM', 'UPDATEITEM', 'DELETEITEM', 'BATCHWRITEITEM', 'TRANSACTWRITEITEMS'), 'write', ''),
                                    db_sys IN ('elasticsearch', 'opensearch'), multiIf(db_op IN ('SEARCH', 'MSEARCH', 'SCROLL', 'GET', 'MGET', 'COUNT', 'EXISTS'), 'read',
                                        db_op IN ('INDEX', 'CREATE', 'UPDATE', 'DELETE', 'BULK', 'REINDEX'), 'write', ''),
                                    db_op IN ('SELECT', 'SHOW', 'VALUES', 'TABLE', 'FIND', 'FINDONE', 'GETMORE', 'AGGREGATE', 'COUNT', 'COUNTDOCUMENTS',
                                              'ESTIMATEDDOCUMENTCOUNT', 'DISTINCT', 'GET', 'MGET', 'STRLEN', 'EXISTS', 'TTL', 'PTTL', 'SCAN', 'HGET',
                                              'HGETALL', 'HMGET', 'HEXISTS', 'HLEN', 'HSCAN', 'LRANGE', 'LLEN', 'LPOP', 'RPOP', 'BLPOP', 'BRPOP', 'LMOVE',
                                              'BLMOVE', 'RPOPLPUSH', 'BRPOPLPUSH', 'LMPOP', 'BLMPOP', 'SMEMBERS', 'SISMEMBER', 'SCARD', 'SSCAN', 'SPOP',
                                              'ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGE', 'ZREVRANGEBYSCORE', 'ZCARD', 'ZSCAN', 'ZPOPMIN', 'ZPOPMAX',
                                              'BZPOPMIN', 'BZPOPMAX', 'XREAD', 'XREADGROUP', 'XRANGE'), 'read',
                                    db_op IN ('INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'COPY', 'INSERTONE', 'INSERTMANY',
                                              'UPDATEONE', 'UPDATEMANY', 'DELETEONE', 'DELETEMANY', 'REPLACEONE', 'REMOVE', 'BULKWRITE', 'FINDANDMODIFY',
                                              'FINDONEANDUPDATE', 'FINDONEANDREPLACE', 'FINDONEANDDELETE', 'SET', 'SETNX', 'SETEX', 'PSETEX', 'MSET',
                                              'MSETNX', 'GETSET', 'GETDEL', 'APPEND', 'INCR', 'INCRBY', 'INCRBYFLOAT', 'DECR', 'DECRBY', 'DEL', 'UNLINK',
                                              'EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'HSET', 'HSETNX', 'HMSET', 'HINCRBY', 'HINCRBYFLOAT', 'HDEL',
                                              'LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LINSERT', 'LSET', 'LREM', 'LTRIM', 'SADD', 'SREM', 'ZADD', 'ZINCRBY',
                                              'ZREM', 'XADD', 'XACK', 'XDEL', 'XTRIM', 'PUBLISH'), 'write',
                                    -- MongoDB only: in Redis SAVE persists the dataset, in SQL a CREATE without AS is schema
                                    db_sys = 'mongodb' AND db_op IN ('SAVE', 'CREATE'), 'write',
                                    '') AS op_dir,
                                if(msg_temporary, toValidUTF8(A['messaging.destination.template']), dest_named) AS dest,
                                if(startsWith(url_hostport, '['), extract(url_hostport, '^\\[([^\\]]*)\\]'), extract(url_hostport, '^([^:]*)')) AS url_host,
                                extract(url_hostport, '^(?:\\[[^\\]]*\\]|[^:]*):(\\d+)$') AS url_port,
                                multiIf(addr_target != '', addr_target, NOT addr_is_url, addr,
                                        if(startsWith(addr_hostport, '['), extract(addr_hostport, '^\\[([^\\]]*)\\]'), extract(addr_hostport, '^([^:]*)'))) AS addr_host,
                                multiIf(addr_target = '' AND addr_is_url, extract(addr_hostport, '^(?:\\[[^\\]]*\\]|[^:]*):(\\d+)$'), ds_port) AS addr_port,
                                -- url.template last: a client that names only the route (`/api/orders/{id}`) and server.address
                                multiIf(url_path_full != '', url_path_full, A['url.path'] != '', A['url.path'], target_path != '', target_path,
                                        extract(toValidUTF8(A['url.template']), '^([^?#]*)')) AS path_any,
                                transform(if(is_http, scheme, if(msg_sys != '', msg_sys, db_sys)),
                                    ['http', 'https', 'ws', 'wss', 'postgresql', 'mysql', 'mssql', 'oracle', 'mongodb', 'redis', 'rabbitmq', 'kafka', 'nats', 'amqp', 'amqps'],
                                    ['80', '443', '80', '443', '5432', '3306', '1433', '1521', '27017', '6379', '5672', '9092', '4222', '5672', '5671'], '') AS default_port
                            FROM (
                                -- layer 3: db_names, db_op_named, db_op_word, db_op, msg_temporary, url_hostport, addr_is_url, addr_target, ds_port, addr_hostport, url_path_full, scheme
                                SELECT *,
                                    multiIf(db_ns != '', [db_ns],
                                            db_sys = 'dynamodb' AND match(ddb_tables, '^\\[[\\t\\n\\f\\r ]*"[A-Za-z0-9_.-]+"[\\t\\n\\f\\r ]*(?:,[\\t\\n\\f\\r ]*"[A-Za-z0-9_.-]+"[\\t\\n\\f\\r ]*)*\\]$'),
                                                extractAll(ddb_tables, '"([A-Za-z0-9_.-]+)"'),
                                            []) AS db_names,
                                    -- the operation as named by the span; for command stores (redis, memcached) the statement's first word
                                    toValidUTF8(multiIf(A['db.operation.name'] != '', A['db.operation.name'],
                                        A['db.operation'] != '', A['db.operation'],
                                        A['db.query.summary'] != '', A['db.query.summary'],
                                        -- otelaws (aws-sdk-go-v2) names a DynamoDB call's operation only as its RPC method (125)
                                        rpc = 'aws-api' AND A['rpc.method'] != '', A['rpc.method'],
                                        db_sys IN ('redis', 'valkey', 'memcached'), db_text, '')) AS db_op_named,
                                    upper(extract(db_op_named, '^[\\s(]*([A-Za-z]+)')) AS db_op_word,
                                    -- a Redis command in a transaction or a pipeline (`MULTI SET`, `PIPELINE lpush`) is the word after the
                                    -- prefix, else (`MULTI`, `PIPELINE` alone) the statement's first word (139)
                                    if(db_sys IN ('redis', 'valkey') AND db_op_word IN ('MULTI', 'PIPELINE'),
                                       upper(if(match(db_op_named, '^[\\s(]*[A-Za-z]+\\s+[A-Za-z]'), extract(db_op_named, '^[\\s(]*[A-Za-z]+\\s+([A-Za-z]+)'),
                                                extract(db_text, '^[\\s(]*([A-Za-z]+)'))),
                                       db_op_word) AS db_op,
                                    -- reply destinations; not the old messaging.temp_destination, which pika and Python's Kafka
                                    -- instrumentations set on every publish to a real queue or topic. RabbitMQ's, whichever exchange reached
                                    -- them (amqplib replies through the default exchange: the queue is the routing key): direct reply-to, and
                                    -- the server-named queues (amq.gen-…) RPC clients declare
                                    A['messaging.destination.temporary'] = 'true' OR A['messaging.destination.anonymous'] = 'true'
                                        OR (msg_sys = 'nats' AND startsWith(dest_raw, '_INBOX.'))
                                        OR (msg_sys = 'rabbitmq' AND (startsWith(dest_named, 'amq.rabbitmq.reply-to') OR startsWith(dest_named, 'amq.gen-')))
                                        -- MassTransit's temporary endpoints (a bus's own, where responses go) by their address (126)
                                        OR match(mt_address, '[?&]temporary=true(?:[&#]|$)')
                                        -- the names the Java agent gives a temporary or anonymous destination (its JMS reply queues) (126)
                                        OR dest_named IN ('(temporary)', '(anonymous)')
                                        -- a JMS provider's temporary queue or topic by its URI (ActiveMQ's `temp-queue://ID:…`) (128)
                                        OR match(dest_raw, '^[Tt][Ee][Mm][Pp]-(?:[Qq][Uu][Ee][Uu][Ee]|[Tt][Oo][Pp][Ii][Cc])://') AS msg_temporary,
                                    replaceRegexpOne(url_parts[2], '^.*@', '') AS url_hostport,
                                    match(addr, '^[A-Za-z][A-Za-z0-9+.-]*://') AS addr_is_url,
                                    -- a gRPC channel's target (otelgrpc's interceptors: `dns:///crm.internal:50051`): its endpoint (126)
                                    multiIf(match(addr, '(?i)^(?:dns|passthrough|xds):(?://[^/]*/)?([^\\n]+)$'), extract(addr, '(?i)^(?:dns|passthrough|xds):(?://[^/]*/)?([^\\n]+)$'),
                                            match(addr, '(?i)^unix:(?://)?(/[^\\n]*)$'), extract(addr, '(?i)^unix:(?://)?(/[^\\n]*)$'),
                                            -- a SQL Server data source (`tcp:sql01,1433`, `sql01\\INST1`, a named pipe's `np:\\\\sql01\\pipe\\…`, as
                                            -- EF Core's instrumentation gives the connection's DataSource): its server (128)
                                            db_sys = 'mssql' AND match(addr, '^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\\\,]') AND match(addr, '^[Nn][Pp]:\\\\\\\\([^\\\\]+)\\\\[^\\n]*$'), extract(addr, '^[Nn][Pp]:\\\\\\\\([^\\\\]+)\\\\[^\\n]*$'),
                                            db_sys = 'mssql' AND match(addr, '^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\\\,]') AND match(addr, '^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?([^\\\\,:/]+?)[\\t ]*(?:\\\\[^\\\\,]*)?(?:,[\\t ]*([0-9]+))?[\\t ]*$'), extract(addr, '^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?([^\\\\,:/]+?)[\\t ]*(?:\\\\[^\\\\,]*)?(?:,[\\t ]*([0-9]+))?[\\t ]*$'),
                                            -- Older versions of EF Core's instrumentation put it in peer.service, with no host attribute (128)
                                            db_sys = 'mssql' AND addr = '' AND match(peer, '^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\\\,]') AND match(peer, '^[Nn][Pp]:\\\\\\\\([^\\\\]+)\\\\[^\\n]*$'), extract(peer, '^[Nn][Pp]:\\\\\\\\([^\\\\]+)\\\\[^\\n]*$'),
                                            db_sys = 'mssql' AND addr = '' AND match(peer, '^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\\\,]') AND match(peer, '^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?([^\\\\,:/]+?)[\\t ]*(?:\\\\[^\\\\,]*)?(?:,[\\t ]*([0-9]+))?[\\t ]*$'), extract(peer, '^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?([^\\\\,:/]+?)[\\t ]*(?:\\\\[^\\\\,]*)?(?:,[\\t ]*([0-9]+))?[\\t ]*$'), '') AS addr_target,
                                    -- and its port (128)
                                    multiIf(db_sys = 'mssql' AND NOT match(addr, '(?i)^(?:dns|passthrough|xds):(?://[^/]*/)?([^\\n]+)$') AND NOT match(addr, '(?i)^unix:(?://)?(/[^\\n]*)$')
                                           AND match(addr, '^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\\\,]') AND NOT match(addr, '^[Nn][Pp]:\\\\\\\\([^\\\\]+)\\\\[^\\n]*$'),
                                       extract(addr, '^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?[^\\\\,:/]+?[\\t ]*(?:\\\\[^\\\\,]*)?,[\\t ]*([0-9]+)[\\t ]*$'),
                                       db_sys = 'mssql' AND addr = '' AND match(peer, '^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\\\,]') AND NOT match(peer, '^[Nn][Pp]:\\\\\\\\([^\\\\]+)\\\\[^\\n]*$'), extract(peer, '^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?[^\\\\,:/]+?[\\t ]*(?:\\\\[^\\\\,]*)?,[\\t ]*([0-9]+)[\\t ]*$'), '') AS ds_port,
                                    replaceRegexpOne(extract(addr, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)'), '^.*@', '') AS addr_hostport,
                                    url_parts[3] AS url_path_full,
                                    lower(multiIf(url_parts[1] != '', url_parts[1], A['url.scheme'] != '', A['url.scheme'],
                                                  A['http.scheme'] != '', A['http.scheme'], is_http, 'http', '')) AS scheme
                                FROM (
                                    -- layer 2: is_error, db_sys, dest_named, url_parts, is_http
                                    SELECT *,
                                        -- a call answered as it asked is not a failed call (107, 125): a DELETE answered 404 or 410 (gone), a
                                        -- POST answered 409 (it exists), a create only if absent (If-None-Match) answered 412 (it exists)
                                        -- nor is a database/sql call answered driver.ErrSkip (126)
                                        toUInt8(positionCaseInsensitive(StatusCode, 'error') > 0 AND NOT skipped_fast_path AND NOT (NOT is_server AND multiIf(
                                            method = 'DELETE', http_status IN ('404', '410'),
                                            method = 'POST' AND http_status = '409', true,
                                            http_status = '412' AND method IN ('PUT', 'POST', 'PATCH')
                                                AND (A['http.request.header.if-none-match'] != '' OR A['http.request.header.if_none_match'] != '')))) AS is_error,
                                        -- other names of one system (core/net/db-system-names.ts): stable conventions, knex's driver names
                                        toValidUTF8(transform(lower(db_sys_raw),
                                            ['postgres', 'pg', 'pgnative', 'mariadb', 'mysql2', 'microsoft.sql_server', 'oracle.db', 'oracledb', 'ibm.db2',
                                             'aws.redshift', 'pg-redshift', 'sqlite3', 'better-sqlite3'],
                                            ['postgresql', 'postgresql', 'postgresql', 'mysql', 'mysql', 'mssql', 'oracle', 'oracle', 'db2',
                                             'redshift', 'redshift', 'sqlite', 'sqlite'],
                                            lower(db_sys_raw))) AS db_sys,
                                        toValidUTF8(multiIf(
                                            msg_sys IN ('aws.sns', 'aws_sns', 'amazonsns', 'sns') AND match(dest_raw, '^\\+[0-9]{7,15}$'), 'phone_number',
                                            msg_sys IN ('aws.sns', 'aws_sns', 'amazonsns', 'sns') AND match(dest_raw, '^(arn:[^:]*:sns:[^:]*:[^:]*:)?endpoint/[^/]+/[^/]+/[^/]+$'),
                                                replaceRegexpOne(dest_raw, '^(arn:[^:]*:sns:[^:]*:[^:]*:)?endpoint/([^/]+/[^/]+)/[^/]+$', '\\1app/\\2'),
                                            -- an SQS span naming no destination: the last part of its queue's URL, where otelaws puts it (125)
                                            msg_sys IN ('aws.sqs', 'aws_sqs', 'amazonsqs', 'sqs') AND dest_raw = '', multiIf(
                                                match(toValidUTF8(A['messaging.url']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)'), extract(toValidUTF8(A['messaging.url']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)'),
                                                match(toValidUTF8(A['aws.sqs.queue.url']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)'), extract(toValidUTF8(A['aws.sqs.queue.url']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)'),
                                                match(toValidUTF8(A['server.address']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)'), extract(toValidUTF8(A['server.address']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)'),
                                                extract(toValidUTF8(A['net.peer.name']), '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*/[^/?#]+/([^/?#]+)/*(?:[?#]|$)')),
                                            -- a JMS URI (IBM MQ's `queue://[queue manager]/<queue>?…`, `topic://<topic>?…`, ActiveMQ's
                                            -- `queue://<queue>`): the queue or topic it names (128)
                                            msg_sys NOT IN ('rabbitmq', 'aws.sns', 'aws_sns', 'amazonsns', 'sns', 'aws.sqs', 'aws_sqs', 'amazonsqs', 'sqs')
                                                AND match(toValidUTF8(dest_raw), '^(?:[Qq][Uu][Ee][Uu][Ee]://(?:[^/?#]*/)?|[Tt][Oo][Pp][Ii][Cc]://)([^?#]+)'),
                                                extract(toValidUTF8(dest_raw), '^(?:[Qq][Uu][Ee][Uu][Ee]://(?:[^/?#]*/)?|[Tt][Oo][Pp][Ii][Cc]://)([^?#]+)'),
                                            -- a Pub/Sub topic or subscription by its full resource name: its id, as Google's client libraries
                                            -- name it (130)
                                            msg_sys = 'gcp_pubsub' AND match(toValidUTF8(dest_raw), '^projects/[^/]+/(?:topics|subscriptions)/[^/]+$'),
                                                extract(toValidUTF8(dest_raw), '^projects/[^/]+/(?:topics|subscriptions)/([^/]+)$'),
                                            msg_sys != 'rabbitmq', dest_raw,
                                            dest_raw IN ('', 'amq.default', '<default>'), routing_key,
                                            -- older pika recorded "(temporary)" on every publish; the span name "<destination> send" has it
                                            dest_raw = '(temporary)', replaceRegexpOne(toValidUTF8(SpanName), '\\s+(send|publish)$', ''),
                                            -- pika under the stable conventions: "<exchange>:<routing key>" (the exchange, as amqplib reports it)
                                            -- but MassTransit names a message type's exchange `<namespace>:<type>`: its destination is whole (126)
                                            mt_address != '', dest_raw,
                                            -- aio-pika's publish: "<exchange>,<routing key>", `,<queue>` for the default exchange (128)
                                            multiSearchFirstPosition(dest_raw, [':', ',']) > 1, substring(dest_raw, 1, multiSearchFirstPosition(dest_raw, [':', ',']) - 1),
                                            multiSearchFirstPosition(dest_raw, [':', ',']) = 1, substring(dest_raw, 2),
                                            dest_raw)) AS dest_named,
                                        if(url = '', ['', '', ''], extractGroups(url, '^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://([^/?#]*))?([^?#]*)')) AS url_parts,
                                        NOT is_server AND (url != '' OR method != '') AS is_http
                                    FROM (
                                        -- layer 1: ts, end_ts, trace_id, span_id, service, integration, domain, records_all, duration_ms, is_server, is_client, is_producer, is_consumer, skipped_fast_path, src_x, tgt_x, peer, rpc, rpc_service, rpc_method, s3_bucket_attr, is_lambda, lambda_name_attr, lambda_region_attr, db_sys_raw, db_ns, ddb_tables, db_text, db_proc, msg_sys, mt_address, dest_raw, routing_key, url, http_host, addr, target_path, method, http_status, op, gql_tokens, gql_dir, msgop, azure_dir
                                        SELECT *,
                                            toDateTime64(Timestamp, 3, 'UTC') AS ts,
                                            fromUnixTimestamp64Milli(toInt64(toUnixTimestamp64Milli(toDateTime64(Timestamp, 3, 'UTC')) + intDiv(Duration, 1000000)), 'UTC') AS end_ts,
                                            TraceId AS trace_id,
                                            SpanId AS span_id,
                                            ServiceName AS service,
                                            multiIf(A['integration.flow'] != '', A['integration.flow'],
                                                    ResourceAttributes['integration.flow'] != '', ResourceAttributes['integration.flow'], ServiceName) AS integration,
                                            if(A['integration.domain'] != '', A['integration.domain'], ResourceAttributes['integration.domain']) AS domain,
                                            -- a count from 0 to 10^12 in decimal digits, else not reported (111)
                                            if(match(A['integration.records'], '^\\+?0*[0-9]{1,13}$') AND toUInt64OrZero(A['integration.records']) <= 1000000000000,
                                               toUInt64OrZero(A['integration.records']), 0) AS records_all,
                                            Duration / 1e6 AS duration_ms,
                                            positionCaseInsensitive(SpanKind, 'server') > 0 AS is_server,
                                            positionCaseInsensitive(SpanKind, 'client') > 0 AS is_client,
                                            positionCaseInsensitive(SpanKind, 'producer') > 0 AS is_producer,
                                            positionCaseInsensitive(SpanKind, 'consumer') > 0 AS is_consumer,
                                            -- a Go database/sql call its driver answered driver.ErrSkip, as XSAM/otelsql marks it (126)
                                            positionCaseInsensitive(StatusCode, 'error') > 0
                                                AND (StatusMessage = 'driver: skip fast-path; continue as if unimplemented' OR has(ExceptionMessages, 'driver: skip fast-path; continue as if unimplemented')) AS skipped_fast_path,
                                            toValidUTF8(A['integration.source']) AS src_x,
                                            toValidUTF8(A['integration.target']) AS tgt_x,
                                            -- peer.service, else its later names in the semantic conventions (139)
                                            toValidUTF8(multiIf(A['peer.service'] != '', A['peer.service'], A['service.peer.name'] != '', A['service.peer.name'],
                                                                A['server.service.name'])) AS peer,
                                            toValidUTF8(A['rpc.system']) AS rpc,
                                            toValidUTF8(A['rpc.service']) AS rpc_service,
                                            toValidUTF8(A['rpc.method']) AS rpc_method,
                                            toValidUTF8(if(A['aws.s3.bucket'] != '', A['aws.s3.bucket'], A['aws.bucket.name'])) AS s3_bucket_attr,
                                            -- an aws-sdk Lambda call: is it one, the function it names and the region it names (129)
                                            A['rpc.system'] = 'aws-api' AND lower(toValidUTF8(A['rpc.service'])) IN ('lambda', 'awslambda') AS is_lambda,
                                            toValidUTF8(if(A['faas.invoked_name'] != '', A['faas.invoked_name'], A['aws.lambda.function.name'])) AS lambda_name_attr,
                                            toValidUTF8(if(A['faas.invoked_region'] != '', A['faas.invoked_region'], A['aws.region'])) AS lambda_region_attr,
                                            -- databases
                                            if(A['db.system.name'] != '', A['db.system.name'], A['db.system']) AS db_sys_raw,
                                            toValidUTF8(if(A['db.namespace'] != '', A['db.namespace'], A['db.name'])) AS db_ns,
                                            -- DynamoDB's batch and transaction operations have no db.namespace: the aws-sdk instrumentation names their
                                            -- tables in aws.dynamodb.table_names (a list, stored as its JSON text); each table is an endpoint
                                            A['aws.dynamodb.table_names'] AS ddb_tables,
                                            toValidUTF8(if(A['db.query.text'] != '', A['db.query.text'], A['db.statement'])) AS db_text,
                                            -- the stable conventions' name of a stored procedure called (122)
                                            toValidUTF8(A['db.stored_procedure.name']) AS db_proc,
                                            -- messaging
                                            -- MassTransit 8's receive activity names no system: its endpoint address's scheme is the transport's (126),
                                            -- opentelemetry-instrumentation-celery's publish and run name none: celery (128)
                                            multiIf(A['messaging.system'] != '', lower(toValidUTF8(A['messaging.system'])),
                                               A['celery.action'] IN ('apply_async', 'run'), 'celery',
                                               -- the Azure SDKs' older spans: an entity's path and their az.namespace (128)
                                               A['message_bus.destination'] != '' AND A['az.namespace'] = 'Microsoft.ServiceBus', 'servicebus',
                                               A['message_bus.destination'] != '' AND A['az.namespace'] = 'Microsoft.EventHub', 'eventhubs',
                                               transform(lower(extract(toValidUTF8(A['messaging.masstransit.input_address']), '^([A-Za-z][A-Za-z0-9+.-]*)://')),
                                                         ['rabbitmqs', 'sb', 'amazonsqs', 'loopback'], ['rabbitmq', 'servicebus', 'sqs', 'in-memory'],
                                                         lower(extract(toValidUTF8(A['messaging.masstransit.input_address']), '^([A-Za-z][A-Za-z0-9+.-]*)://')))) AS msg_sys,
                                            -- the endpoint address MassTransit's spans carry: the destination's, else the receiving endpoint's (126)
                                            toValidUTF8(if(A['messaging.masstransit.destination_address'] != '', A['messaging.masstransit.destination_address'],
                                                           A['messaging.masstransit.input_address'])) AS mt_address,
                                            -- the Azure SDKs' older tracing: the entity's path in message_bus.destination (128)
                                            multiIf(A['messaging.destination.name'] != '', A['messaging.destination.name'],
                                                    A['messaging.destination'] != '', A['messaging.destination'], A['message_bus.destination']) AS dest_raw,
                                            if(A['message_bus.destination'] != '' AND A['az.namespace'] IN ('Microsoft.ServiceBus', 'Microsoft.EventHub'),
                                               multiIf(lower(extract(toValidUTF8(SpanName), '([^.]*)$')) IN ('send', 'schedule', 'sendmessages', 'schedulemessages'), 'write',
                                                       lower(extract(toValidUTF8(SpanName), '([^.]*)$')) IN ('receive', 'receivedeferred', 'receive_deferred', 'peek', 'peekmessages',
                                                           'receivemessages', 'process', 'processmessage', 'processsessionmessage', 'readevents'), 'read', ''),
                                               '') AS azure_dir,
                                            multiIf(A['messaging.rabbitmq.destination.routing_key'] != '', A['messaging.rabbitmq.destination.routing_key'],
                                                    A['rabbitmq.destination.routing_key'] != '', A['rabbitmq.destination.routing_key'],
                                                    A['messaging.rabbitmq.routing_key']) AS routing_key,
                                            -- HTTP: an RFC 3986 split of the URL (scheme, authority, path); userinfo is dropped
                                            toValidUTF8(if(A['url.full'] != '', A['url.full'], A['http.url'])) AS url,
                                            toValidUTF8(A['http.host']) AS http_host,
                                            toValidUTF8(if(A['server.address'] != '', A['server.address'], A['net.peer.name'])) AS addr,
                                            extract(toValidUTF8(A['http.target']), '^([^?#]*)') AS target_path,
                                            upper(if(A['http.request.method'] != '', A['http.request.method'], A['http.method'])) AS method,
                                            if(A['http.response.status_code'] != '', A['http.response.status_code'], A['http.status_code']) AS http_status,
                                            lower(A['integration.operation']) AS op,
                                            -- a GraphQL document's tokens as a lexer reads them, comments left out (130): a `#` comment to
                                            -- its line's end, a block string to the first `"""` not escaped `\"""` (or the end), a string to
                                            -- its closing `"` (or its line's end), a name, a bracket; other characters are skipped
                                            if(A['graphql.document'] = '' OR lower(A['graphql.operation.type']) IN ('query', 'subscription', 'mutation'), [],
                                               arrayFilter(x -> NOT startsWith(x, '#'), extractAll(toValidUTF8(A['graphql.document']),
                                                   '#[^\\n\\r]*|"""(?:[^"\\\\]|\\\\(?:""")?|""?(?:[^"\\\\]|\\\\(?:""")?))*(?:"""|""?$|$)|"(?:[^"\\\\\\n\\r]|\\\\[^\\n\\r])*"?|[_0-9A-Za-z]+|[{}()\\[\\]]'))) AS gql_tokens,
                                            -- a GraphQL operation's direction: a query or subscription reads, a mutation writes, by
                                            -- graphql.operation.type, else by the document's first definition that is not a fragment (128,
                                            -- 130): a definition starts the document or follows a `}` closing every `{`, `(`, `[` before it
                                            multiIf(lower(A['graphql.operation.type']) IN ('query', 'subscription'), 'read',
                                                    lower(A['graphql.operation.type']) = 'mutation', 'write',
                                                    transform(arrayFirst((t, p, n) -> t != 'fragment' AND (p = '' OR (p = '}' AND n = 0)), gql_tokens,
                                                                         arrayPopBack(arrayPushFront(gql_tokens, '')),
                                                                         arrayPopBack(arrayPushFront(arrayCumSum(arrayMap(t -> multiIf(t IN ('{', '(', '['), 1, t IN ('}', ')', ']'), -1, 0), gql_tokens)), 0))),
                                                              ['{', 'query', 'subscription', 'mutation'], ['read', 'read', 'read', 'write'], '')) AS gql_dir,
                                            lower(if(A['messaging.operation.type'] != '', A['messaging.operation.type'],
                                                     A['messaging.operation'])) AS msgop
                                        FROM weft_spans_unclassified
                                        WHERE positionCaseInsensitive(SpanKind, 'client') > 0 OR positionCaseInsensitive(SpanKind, 'producer') > 0
                                                  OR positionCaseInsensitive(SpanKind, 'consumer') > 0
                                                  OR A['integration.source'] != '' OR A['integration.target'] != ''
                                                  OR A['messaging.system'] != '' OR A['db.system.name'] != '' OR A['db.system'] != ''
                                                  OR (positionCaseInsensitive(SpanKind, 'server') = 0 AND (A['url.full'] != '' OR A['http.url'] != ''))
                                    )
                                )
                            )
                        )
                    )
                )
            )
        )
    )
    )
)
ARRAY JOIN touches AS t, arrayEnumerate(touches) AS n;
