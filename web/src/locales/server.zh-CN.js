// server.zh-CN.js - the texts the server makes, said in Chinese from the stable codes it sends
// beside its English (servertext.js): stage-history notes, webhook delivery failures, why a rule's
// action was not applied, what "selected" means in a fairness report, who an actor of the system
// is. Merged into the zh-CN messages under server.*.
export default {
  server: {
    notes: {
      rule: '规则：{rule}',
      result_received: '收到 AI 面试结果（{vendor} / {vendor_result_id}）',
    },
    webhookErrors: {
      http_status: '接收方返回 HTTP {status}',
      timeout: '接收方未在规定时间内应答（超时）',
      dns: '无法解析推送地址的域名',
      connect_failed: '无法连接到接收方服务器',
      tls: 'HTTPS 安全连接失败（证书或 TLS 握手）',
      connection_lost: '与接收方的连接中断，未收到完整应答',
      bad_url: '推送地址无效或协议不受支持',
      secret_unreadable: '签名密钥无法解密（密钥文件是否更换过？）',
      client_failed: '服务器无法发起推送请求',
      network: '网络错误，推送失败',
    },
    skipped: {
      moved_by_other_rule: '另一条规则已先移动了该申请',
    },
    refusedAt: '{why}（当前阶段：{stage}）',
    selectedMeans: {
      label: '“通过”指：{means}',
      not_not_recommended: 'AI 未判定为不推荐',
      not_eliminated_by_rule: '未被此规则淘汰',
      moved_on_by_rule: '被此规则推进到下一阶段',
      report: '“通过”的含义：AI 推荐一行为“{ai}”；规则一行为“未被该规则淘汰”',
    },
    actors: {
      automatic: '系统自动',
      triggeredBy: '系统（由 {user} 的操作触发）',
      system: {
        worker: '系统（定时任务）',
        rules: '系统（自动化规则）',
        cli: '系统（命令行）',
        vendor: '系统（供应商推送）',
        candidate: '系统（候选人）',
        'candidate-link': '系统（候选人链接）',
        demo: '系统（演示数据）',
        audit: '系统（审计）',
      },
      systemOther: '系统（{name}）',
    },
  },
};
