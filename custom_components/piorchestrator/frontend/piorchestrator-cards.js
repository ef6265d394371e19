var e=globalThis,t=e.ShadowRoot&&(e.ShadyCSS===void 0||e.ShadyCSS.nativeShadow)&&`adoptedStyleSheets`in Document.prototype&&`replace`in CSSStyleSheet.prototype,n=Symbol(),r=/* @__PURE__ */ new WeakMap,i=class{constructor(e,t,r){if(this._$cssResult$=!0,r!==n)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,n=this.t;if(t&&e===void 0){let t=n!==void 0&&n.length===1;t&&(e=r.get(n)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),t&&r.set(n,e))}return e}toString(){return this.cssText}},a=e=>new i(typeof e==`string`?e:e+``,void 0,n),o=(e,...t)=>new i(e.length===1?e[0]:t.reduce((t,n,r)=>t+(e=>{if(!0===e._$cssResult$)return e.cssText;if(typeof e==`number`)return e;throw Error(`Value passed to 'css' function must be a 'css' function result: `+e+`. Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.`)})(n)+e[r+1],e[0]),e,n),s=(n,r)=>{if(t)n.adoptedStyleSheets=r.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let t of r){let r=document.createElement(`style`),i=e.litNonce;i!==void 0&&r.setAttribute(`nonce`,i),r.textContent=t.cssText,n.appendChild(r)}},c=t?e=>e:e=>e instanceof CSSStyleSheet?(e=>{let t=``;for(let n of e.cssRules)t+=n.cssText;return a(t)})(e):e,l,{is:u,defineProperty:d,getOwnPropertyDescriptor:f,getOwnPropertyNames:p,getOwnPropertySymbols:m,getPrototypeOf:ee}=Object,h=globalThis,te=h.trustedTypes,ne=te?te.emptyScript:``,re=h.reactiveElementPolyfillSupport,g=(e,t)=>e,_={toAttribute(e,t){switch(t){case Boolean:e=e?ne:null;break;case Object:case Array:e=e==null?e:JSON.stringify(e)}return e},fromAttribute(e,t){let n=e;switch(t){case Boolean:n=e!==null;break;case Number:n=e===null?null:Number(e);break;case Object:case Array:try{n=JSON.parse(e)}catch{n=null}}return n}},ie=(e,t)=>!u(e,t),ae={attribute:!0,type:String,converter:_,reflect:!1,useDefault:!1,hasChanged:ie};(l=Symbol).metadata??(l.metadata=Symbol(`metadata`)),h.litPropertyMetadata??(h.litPropertyMetadata=/* @__PURE__ */ new WeakMap);var v=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??(this.l=[])).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=ae){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let n=Symbol(),r=this.getPropertyDescriptor(e,n,t);r!==void 0&&d(this.prototype,e,r)}}static getPropertyDescriptor(e,t,n){let{get:r,set:i}=f(this.prototype,e)??{get(){return this[t]},set(e){this[t]=e}};return{get:r,set(t){let a=r?.call(this);i?.call(this,t),this.requestUpdate(e,a,n)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??ae}static _$Ei(){if(this.hasOwnProperty(g(`elementProperties`)))return;let e=ee(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(g(`finalized`)))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(g(`properties`))){let e=this.properties,t=[...p(e),...m(e)];for(let n of t)this.createProperty(n,e[n])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[e,n]of t)this.elementProperties.set(e,n)}this._$Eh=/* @__PURE__ */ new Map;for(let[e,t]of this.elementProperties){let n=this._$Eu(e,t);n!==void 0&&this._$Eh.set(n,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let n=new Set(e.flat(1/0).reverse());for(let e of n)t.unshift(c(e))}else e!==void 0&&t.push(c(e));return t}static _$Eu(e,t){let n=t.attribute;return!1===n?void 0:typeof n==`string`?n:typeof e==`string`?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=/* @__PURE__ */ new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??(this._$EO=/* @__PURE__ */ new Set)).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=/* @__PURE__ */ new Map,t=this.constructor.elementProperties;for(let n of t.keys())this.hasOwnProperty(n)&&(e.set(n,this[n]),delete this[n]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return s(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??(this.renderRoot=this.createRenderRoot()),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,n){this._$AK(e,n)}_$ET(e,t){let n=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,n);if(r!==void 0&&!0===n.reflect){let i=(n.converter?.toAttribute===void 0?_:n.converter).toAttribute(t,n.type);this._$Em=e,i==null?this.removeAttribute(r):this.setAttribute(r,i),this._$Em=null}}_$AK(e,t){let n=this.constructor,r=n._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let e=n.getPropertyOptions(r),i=typeof e.converter==`function`?{fromAttribute:e.converter}:e.converter?.fromAttribute===void 0?_:e.converter;this._$Em=r;let a=i.fromAttribute(t,e.type);this[r]=a??this._$Ej?.get(r)??a,this._$Em=null}}requestUpdate(e,t,n,r=!1,i){if(e!==void 0){let a=this.constructor;if(!1===r&&(i=this[e]),n??(n=a.getPropertyOptions(e)),!((n.hasChanged??ie)(i,t)||n.useDefault&&n.reflect&&i===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,n))))return;this.C(e,t,n)}!1===this.isUpdatePending&&(this._$ES=this._$EP())}C(e,t,{useDefault:n,reflect:r,wrapped:i},a){n&&!(this._$Ej??(this._$Ej=/* @__PURE__ */ new Map)).has(e)&&(this._$Ej.set(e,a??t??this[e]),!0!==i||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||n||(t=void 0),this._$AL.set(e,t)),!0===r&&this._$Em!==e&&(this._$Eq??(this._$Eq=/* @__PURE__ */ new Set)).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??(this.renderRoot=this.createRenderRoot()),this._$Ep){for(let[e,t]of this._$Ep)this[e]=t;this._$Ep=void 0}let e=this.constructor.elementProperties;if(e.size>0)for(let[t,n]of e){let{wrapped:e}=n,r=this[t];!0!==e||this._$AL.has(t)||r===void 0||this.C(t,void 0,n,r)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(e=>e.hostUpdate?.()),this.update(t)):this._$EM()}catch(t){throw e=!1,this._$EM(),t}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=/* @__PURE__ */ new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&(this._$Eq=this._$Eq.forEach(e=>this._$ET(e,this[e]))),this._$EM()}updated(e){}firstUpdated(e){}};v.elementStyles=[],v.shadowRootOptions={mode:`open`},v[g(`elementProperties`)]=/* @__PURE__ */ new Map,v[g(`finalized`)]=/* @__PURE__ */ new Map,re?.({ReactiveElement:v}),(h.reactiveElementVersions??(h.reactiveElementVersions=[])).push(`2.1.2`);var y=globalThis,oe=e=>e,b=y.trustedTypes,se=b?b.createPolicy(`lit-html`,{createHTML:e=>e}):void 0,x=`$lit$`,S=`lit$${Math.random().toFixed(9).slice(2)}$`,C=`?`+S,ce=`<${C}>`,w=document,T=()=>w.createComment(``),E=e=>e===null||typeof e!=`object`&&typeof e!=`function`,le=Array.isArray,ue=e=>le(e)||typeof e?.[Symbol.iterator]==`function`,de=`[ 	
\f\r]`,D=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,fe=/-->/g,pe=/>/g,O=RegExp(`>|${de}(?:([^\\s"'>=/]+)(${de}*=${de}*(?:[^ \t\n\f\r"'\`<>=]|("|')|))|$)`,`g`),me=/'/g,he=/"/g,ge=/^(?:script|style|textarea|title)$/i,k=(e=>(t,...n)=>({_$litType$:e,strings:t,values:n}))(1),A=Symbol.for(`lit-noChange`),j=Symbol.for(`lit-nothing`),_e=/* @__PURE__ */ new WeakMap,M=w.createTreeWalker(w,129);function ve(e,t){if(!le(e)||!e.hasOwnProperty(`raw`))throw Error(`invalid template strings array`);return se===void 0?t:se.createHTML(t)}var ye=(e,t)=>{let n=e.length-1,r=[],i,a=t===2?`<svg>`:t===3?`<math>`:``,o=D;for(let t=0;t<n;t++){let n=e[t],s,c,l=-1,u=0;for(;u<n.length&&(o.lastIndex=u,c=o.exec(n),c!==null);)u=o.lastIndex,o===D?c[1]===`!--`?o=fe:c[1]===void 0?c[2]===void 0?c[3]!==void 0&&(o=O):(ge.test(c[2])&&(i=RegExp(`</`+c[2],`g`)),o=O):o=pe:o===O?c[0]===`>`?(o=i??D,l=-1):c[1]===void 0?l=-2:(l=o.lastIndex-c[2].length,s=c[1],o=c[3]===void 0?O:c[3]===`"`?he:me):o===he||o===me?o=O:o===fe||o===pe?o=D:(o=O,i=void 0);let d=o===O&&e[t+1].startsWith(`/>`)?` `:``;a+=o===D?n+ce:l>=0?(r.push(s),n.slice(0,l)+x+n.slice(l)+S+d):n+S+(l===-2?t:d)}return[ve(e,a+(e[n]||`<?>`)+(t===2?`</svg>`:t===3?`</math>`:``)),r]},N=class e{constructor({strings:t,_$litType$:n},r){let i;this.parts=[];let a=0,o=0,s=t.length-1,c=this.parts,[l,u]=ye(t,n);if(this.el=e.createElement(l,r),M.currentNode=this.el.content,n===2||n===3){let e=this.el.content.firstChild;e.replaceWith(...e.childNodes)}for(;(i=M.nextNode())!==null&&c.length<s;){if(i.nodeType===1){if(i.hasAttributes())for(let e of i.getAttributeNames())if(e.endsWith(x)){let t=u[o++],n=i.getAttribute(e).split(S),r=/([.?@])?(.*)/.exec(t);c.push({type:1,index:a,name:r[2],strings:n,ctor:r[1]===`.`?xe:r[1]===`?`?Se:r[1]===`@`?Ce:I}),i.removeAttribute(e)}else e.startsWith(S)&&(c.push({type:6,index:a}),i.removeAttribute(e));if(ge.test(i.tagName)){let e=i.textContent.split(S),t=e.length-1;if(t>0){i.textContent=b?b.emptyScript:``;for(let n=0;n<t;n++)i.append(e[n],T()),M.nextNode(),c.push({type:2,index:++a});i.append(e[t],T())}}}else if(i.nodeType===8){if(i.data===C)c.push({type:2,index:a});else{let e=-1;for(;(e=i.data.indexOf(S,e+1))!==-1;)c.push({type:7,index:a}),e+=S.length-1}}a++}}static createElement(e,t){let n=w.createElement(`template`);return n.innerHTML=e,n}};function P(e,t,n=e,r){if(t===A)return t;let i=r===void 0?n._$Cl:n._$Co?.[r],a=E(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(e),i._$AT(e,n,r)),r===void 0?n._$Cl=i:(n._$Co??(n._$Co=[]))[r]=i),i!==void 0&&(t=P(e,i._$AS(e,t.values),i,r)),t}var be=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:n}=this._$AD,r=(e?.creationScope??w).importNode(t,!0);M.currentNode=r;let i=M.nextNode(),a=0,o=0,s=n[0];for(;s!==void 0;){if(a===s.index){let t;s.type===2?t=new F(i,i.nextSibling,this,e):s.type===1?t=new s.ctor(i,s.name,s.strings,this,e):s.type===6&&(t=new we(i,this,e)),this._$AV.push(t),s=n[++o]}a!==s?.index&&(i=M.nextNode(),a++)}return M.currentNode=w,r}p(e){let t=0;for(let n of this._$AV)n!==void 0&&(n.strings===void 0?n._$AI(e[t]):(n._$AI(e,n,t),t+=n.strings.length-2)),t++}},F=class e{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,n,r){this.type=2,this._$AH=j,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=n,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=P(this,e,t),E(e)?e===j||e==null||e===``?(this._$AH!==j&&this._$AR(),this._$AH=j):e!==this._$AH&&e!==A&&this._(e):e._$litType$===void 0?e.nodeType===void 0?ue(e)?this.k(e):this._(e):this.T(e):this.$(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==j&&E(this._$AH)?this._$AA.nextSibling.data=e:this.T(w.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:n}=e,r=typeof n==`number`?this._$AC(e):(n.el===void 0&&(n.el=N.createElement(ve(n.h,n.h[0]),this.options)),n);if(this._$AH?._$AD===r)this._$AH.p(t);else{let e=new be(r,this),n=e.u(this.options);e.p(t),this.T(n),this._$AH=e}}_$AC(e){let t=_e.get(e.strings);return t===void 0&&_e.set(e.strings,t=new N(e)),t}k(t){le(this._$AH)||(this._$AH=[],this._$AR());let n=this._$AH,r,i=0;for(let a of t)i===n.length?n.push(r=new e(this.O(T()),this.O(T()),this,this.options)):r=n[i],r._$AI(a),i++;i<n.length&&(this._$AR(r&&r._$AB.nextSibling,i),n.length=i)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let t=oe(e).nextSibling;oe(e).remove(),e=t}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},I=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,n,r,i){this.type=1,this._$AH=j,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=i,n.length>2||n[0]!==``||n[1]!==``?(this._$AH=Array(n.length-1).fill(/* @__PURE__ */ new String),this.strings=n):this._$AH=j}_$AI(e,t=this,n,r){let i=this.strings,a=!1;if(i===void 0)e=P(this,e,t,0),a=!E(e)||e!==this._$AH&&e!==A,a&&(this._$AH=e);else{let r=e,o,s;for(e=i[0],o=0;o<i.length-1;o++)s=P(this,r[n+o],t,o),s===A&&(s=this._$AH[o]),a||(a=!E(s)||s!==this._$AH[o]),s===j?e=j:e!==j&&(e+=(s??``)+i[o+1]),this._$AH[o]=s}a&&!r&&this.j(e)}j(e){e===j?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??``)}},xe=class extends I{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===j?void 0:e}},Se=class extends I{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==j)}},Ce=class extends I{constructor(e,t,n,r,i){super(e,t,n,r,i),this.type=5}_$AI(e,t=this){if((e=P(this,e,t,0)??j)===A)return;let n=this._$AH,r=e===j&&n!==j||e.capture!==n.capture||e.once!==n.once||e.passive!==n.passive,i=e!==j&&(n===j||r);r&&this.element.removeEventListener(this.name,this,n),i&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH==`function`?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},we=class{constructor(e,t,n){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=n}get _$AU(){return this._$AM._$AU}_$AI(e){P(this,e)}},Te={M:x,P:S,A:C,C:1,L:ye,R:be,D:ue,V:P,I:F,H:I,N:Se,U:Ce,B:xe,F:we};(0,y.litHtmlPolyfillSupport)?.(N,F),(y.litHtmlVersions??(y.litHtmlVersions=[])).push(`3.3.3`);var Ee=(e,t,n)=>{let r=n?.renderBefore??t,i=r._$litPart$;if(i===void 0){let e=n?.renderBefore??null;r._$litPart$=i=new F(t.insertBefore(T(),e),e,void 0,n??{})}return i._$AI(e),i},L=globalThis,R=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){var e;let t=super.createRenderRoot();return(e=this.renderOptions).renderBefore??(e.renderBefore=t.firstChild),t}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Ee(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return A}};R._$litElement$=!0,R.finalized=!0,L.litElementHydrateSupport?.({LitElement:R}),(0,L.litElementPolyfillSupport)?.({LitElement:R}),(L.litElementVersions??(L.litElementVersions=[])).push(`4.2.2`);var De={attribute:!0,type:String,converter:_,reflect:!1,hasChanged:ie},Oe=(e=De,t,n)=>{let{kind:r,metadata:i}=n,a=globalThis.litPropertyMetadata.get(i);if(a===void 0&&globalThis.litPropertyMetadata.set(i,a=/* @__PURE__ */ new Map),r===`setter`&&((e=Object.create(e)).wrapped=!0),a.set(n.name,e),r===`accessor`){let{name:r}=n;return{set(n){let i=t.get.call(this);t.set.call(this,n),this.requestUpdate(r,i,e,!0,n)},init(t){return t!==void 0&&this.C(r,void 0,e,t),t}}}if(r===`setter`){let{name:r}=n;return function(n){let i=this[r];t.call(this,n),this.requestUpdate(r,i,e,!0,n)}}throw Error(`Unsupported decorator location: `+r)};function z(e){return(t,n)=>typeof n==`object`?Oe(e,t,n):((e,t,n)=>{let r=t.hasOwnProperty(n);return t.constructor.createProperty(n,e),r?Object.getOwnPropertyDescriptor(t,n):void 0})(e,t,n)}function B(e){return z({...e,state:!0,attribute:!1})}var ke={ATTRIBUTE:1,CHILD:2,PROPERTY:3,BOOLEAN_ATTRIBUTE:4,EVENT:5,ELEMENT:6},Ae=e=>(...t)=>({_$litDirective$:e,values:t}),je=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,n){this._$Ct=e,this._$AM=t,this._$Ci=n}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}},{I:Me}=Te,Ne=e=>e,Pe=()=>document.createComment(``),V=(e,t,n)=>{let r=e._$AA.parentNode,i=t===void 0?e._$AB:t._$AA;if(n===void 0)n=new Me(r.insertBefore(Pe(),i),r.insertBefore(Pe(),i),e,e.options);else{let t=n._$AB.nextSibling,a=n._$AM,o=a!==e;if(o){let t;n._$AQ?.(e),n._$AM=e,n._$AP!==void 0&&(t=e._$AU)!==a._$AU&&n._$AP(t)}if(t!==i||o){let e=n._$AA;for(;e!==t;){let t=Ne(e).nextSibling;Ne(r).insertBefore(e,i),e=t}}}return n},H=(e,t,n=e)=>(e._$AI(t,n),e),Fe={},Ie=(e,t=Fe)=>e._$AH=t,Le=e=>e._$AH,U=e=>{e._$AR(),e._$AA.remove()},Re=(e,t,n)=>{let r=/* @__PURE__ */ new Map;for(let i=t;i<=n;i++)r.set(e[i],i);return r},ze=Ae(class extends je{constructor(e){if(super(e),e.type!==ke.CHILD)throw Error(`repeat() can only be used in text expressions`)}dt(e,t,n){let r;n===void 0?n=t:t!==void 0&&(r=t);let i=[],a=[],o=0;for(let t of e)i[o]=r?r(t,o):o,a[o]=n(t,o),o++;return{values:a,keys:i}}render(e,t,n){return this.dt(e,t,n).values}update(e,[t,n,r]){let i=Le(e),{values:a,keys:o}=this.dt(t,n,r);if(!Array.isArray(i))return this.ut=o,a;let s=this.ut??(this.ut=[]),c=[],l,u,d=0,f=i.length-1,p=0,m=a.length-1;for(;d<=f&&p<=m;)if(i[d]===null)d++;else if(i[f]===null)f--;else if(s[d]===o[p])c[p]=H(i[d],a[p]),d++,p++;else if(s[f]===o[m])c[m]=H(i[f],a[m]),f--,m--;else if(s[d]===o[m])c[m]=H(i[d],a[m]),V(e,c[m+1],i[d]),d++,m--;else if(s[f]===o[p])c[p]=H(i[f],a[p]),V(e,i[d],i[f]),f--,p++;else if(l===void 0&&(l=Re(o,p,m),u=Re(s,d,f)),l.has(s[d])){if(l.has(s[f])){let t=u.get(o[p]),n=t===void 0?null:i[t];if(n===null){let t=V(e,i[d]);H(t,a[p]),c[p]=t}else c[p]=H(n,a[p]),V(e,i[d],n),i[t]=null;p++}else U(i[f]),f--}else U(i[d]),d++;for(;p<=m;){let t=V(e,c[m+1]);H(t,a[p]),c[p++]=t}for(;d<=f;){let e=i[d++];e!==null&&U(e)}return this.ut=o,Ie(e,c),A}}),Be={"card.session.name":`PiOrchestrator session`,"card.session.description":`One Pi's provisioning session: boards, actions, allowlist.`,"card.fleet.name":`PiOrchestrator fleet`,"card.fleet.description":`Every configured Pi at a glance.`,"editor.entry":`Pi`,"error.no_entry":`Choose a Pi in the card's settings (entry_id).`,"status.loading":`Loading…`,"status.reconnecting":`Reconnecting to Home Assistant… the figures shown may be out of date.`,"status.subscribe_failed":`Could not load this Pi: {message}`,"stream.events":`Events`,"stream.monitor":`Monitor`,"stream.connected":`live`,"stream.reconnecting":`reconnecting`,"stream.polling":`polling`,"stream.offline":`offline`,"session.none":`No session`,"session.state.discovering":`Discovering`,"session.state.active":`Active`,"session.state.paused":`Paused`,"session.state.closing":`Closing`,"session.state.closed":`Closed`,"session.state.unknown":`Unknown`,"session.target":`Network {ssid}`,"session.progress":`Progress`,"count.found":`Found`,"count.busy":`Busy`,"count.verified":`Verified`,"count.failed":`Failed`,"action.start":`Start`,"action.pause":`Pause`,"action.resume":`Resume`,"action.stop":`Stop`,"action.provision_all":`Provision all`,"action.retry_failed":`Retry failed`,"action.provision":`Provision`,"action.retry":`Retry`,"action.skip":`Skip`,"action.cancel":`Cancel`,"action.close":`Close`,"action.add":`Add`,"action.save":`Save`,"action.edit":`Edit`,"action.remove":`Remove`,"action.add_all":`Add all`,"action.dismiss":`Dismiss`,"aria.board_action":`{action} board {name}`,"aria.entry_action":`{action} allowlist entry {mac}`,"aria.signal":`Signal {bars} of 4 bars ({rssi} dBm)`,"aria.signal_unknown":`Signal unknown`,"aria.progress":`{done} of {total} boards finished`,"reason.no_session":`No session is running.`,"reason.session_open":`A session is already running; stop it first.`,"reason.session_paused":`The session is paused; resume it first.`,"reason.session_not_paused":`The session is not paused.`,"reason.session_ending":`The session is closing.`,"reason.interrupted":`An interrupted session is waiting; resume it from the banner or start a new one.`,"reason.nothing_to_provision":`No board is waiting to be provisioned.`,"reason.no_failed":`No board has failed.`,"reason.offline":`The Pi is offline.`,"reason.busy":`Another action is in progress.`,"reason.board_not_discovered":`Only a discovered board can be provisioned.`,"reason.board_not_failed":`Only a failed board can be retried.`,"reason.board_max_retries":`This board was already retried {max} times.`,"reason.board_in_flight":`The board is being provisioned.`,"reason.board_verified":`The board is already verified.`,"board.state.discovered":`Discovered`,"board.state.provisioning":`Provisioning`,"board.state.provisioned":`Provisioned`,"board.state.verifying":`Verifying`,"board.state.verified":`Verified`,"board.state.failed":`Failed`,"board.state.unknown":`Unknown`,"board.ip":`IP`,"board.retries":`Retries`,"board.not_allowlisted":`Not in the allowlist`,"boards.title":`Boards`,"boards.empty":`No board found yet.`,"start.title":`Start a provisioning session`,"start.ssid":`WiFi network (SSID)`,"start.password":`WiFi password`,"start.password_hint":`8 to 63 characters, or empty for an open network. It is sent to the Pi and not kept here.`,"start.invalid_ssid":`Enter the network name (1 to 32 bytes).`,"start.invalid_password":`The password must have 8 to 63 characters (or 64 hex digits), or be empty.`,"recover.title":`An interrupted session can be resumed`,"recover.text":`Session {id} on {ssid} ({count} boards, {state}) stopped when the Pi went down.`,"allowlist.title":`Allowlist`,"allowlist.counts":`{used} used, {available} available of {total}`,"allowlist.mac":`MAC address`,"allowlist.description":`Description`,"allowlist.container":`Container`,"allowlist.status":`Status`,"allowlist.used":`Used`,"allowlist.available":`Available`,"allowlist.empty":`The allowlist is empty.`,"allowlist.add_title":`Add a board`,"allowlist.bulk_title":`Paste several MAC addresses`,"allowlist.bulk_hint":`One per line, or separated by commas or spaces.`,"allowlist.invalid_mac":`{value} is not a MAC address; expected six hex pairs such as AA:BB:CC:DD:EE:FF.`,"allowlist.bulk_invalid":`Not MAC addresses: {values}`,"allowlist.bulk_none":`Paste at least one MAC address.`,"allowlist.confirm_remove":`Remove {mac} from the allowlist?`,"fleet.title":`Pi fleet`,"fleet.empty":`No Pi is configured.`,"fleet.col.pi":`Pi`,"fleet.col.streams":`Streams`,"fleet.col.health":`Health`,"fleet.col.door":`Door`,"fleet.col.session":`Session`,"fleet.failed":`{count} failed: {names}`,"fleet.open":`Open the session of {name}`,"fleet.boards":`{count} boards`,"health.cpu":`CPU {value}%`,"health.memory":`Memory {value}%`,"health.temperature":`{value} °C`,"door.open":`Open`,"door.closed":`Closed`,"door.unknown":`Unknown`,"lock.locked":`locked`,"lock.unlocked":`unlocked`,"lock.unknown":`lock unknown`,"error.action":`{action} failed: {message}`},Ve={en:Be},He=`en`;function Ue(e){let t=(e??`en`).toLowerCase();He=Ve[t]?t:Ve[t.split(`-`)[0]]?t.split(`-`)[0]:`en`}function W(e,t={}){return(Ve[He]?.[e]??Be[e]).replace(/\{(\w+)\}/g,(e,n)=>n in t?String(t[n]):e)}var We=/* @__PURE__ */ new Set([`provisioning`,`provisioned`,`verifying`]),Ge=/* @__PURE__ */ new Set([`discovering`,`active`]),Ke=/* @__PURE__ */ new Set([`discovering`,`active`,`paused`,`closing`]),qe={failed:0,provisioning:1,provisioned:1,verifying:1,discovered:2,unknown:3,verified:4};function G(e){return e.name?.trim()||e.mac}function Je(e){return[...e].sort((e,t)=>(qe[e.state]??3)-(qe[t.state]??3)||G(e).localeCompare(G(t))||e.mac.localeCompare(t.mac))}function Ye(e){let t={found:e.length,busy:0,verified:0,failed:0,waiting:0};for(let n of e)We.has(n.state)?t.busy+=1:n.state===`verified`?t.verified+=1:n.state===`failed`?t.failed+=1:n.state===`discovered`&&(t.waiting+=1);return t}function Xe(e){return e.found?(e.verified+e.failed)/e.found:0}function Ze(e){return e==null||!Number.isFinite(e)?null:e>=-55?4:e>=-67?3:e>=-75?2:+(e>=-85)}var Qe={discovered:`mdi:magnify`,provisioning:`mdi:progress-upload`,provisioned:`mdi:wifi-arrow-up`,verifying:`mdi:progress-check`,verified:`mdi:check-circle`,failed:`mdi:alert-circle`};function $e(e){return Qe[e]??`mdi:help-circle`}function et(e){return e===`failed`?`var(--error-color, #db4437)`:e===`verified`?`var(--success-color, #43a047)`:We.has(e)?`var(--warning-color, #ffa600)`:e===`discovered`?`var(--info-color, #039be5)`:`var(--disabled-text-color, #9e9e9e)`}function tt(e){return!!e&&Ke.has(e.state)}function nt(e){return!!e&&e.events===`offline`&&e.monitor===`offline`}function rt(e,t=!1){let n={},r=(e,t)=>{n[e]??(n[e]=W(t))},i=[`start`,`pause`,`resume`,`stop`,`provision_all`,`retry_failed`];if(t)for(let e of i)r(e,`reason.busy`);if(nt(e.streams))for(let e of i)r(e,`reason.offline`);let a=e.session;if(!tt(a)){for(let e of i.slice(1))r(e,`reason.no_session`);return n}if(r(`start`,`reason.session_open`),a.state===`closing`){for(let e of i.slice(1))r(e,`reason.session_ending`);return n}return a.state===`paused`?(r(`pause`,`reason.session_paused`),r(`provision_all`,`reason.session_paused`),r(`retry_failed`,`reason.session_paused`)):r(`resume`,`reason.session_not_paused`),!Ge.has(a.state)&&a.state!==`paused`&&r(`provision_all`,`reason.no_session`),e.boards.some(e=>e.state===`discovered`)||r(`provision_all`,`reason.nothing_to_provision`),it(e.boards).length||r(`retry_failed`,`reason.no_failed`),n}function it(e){return e.filter(e=>e.state===`failed`&&e.retry_count<3)}function at(e,t){let n={};return t?{provision:t,retry:t,skip:t}:(e.state===`discovered`?e.in_allowlist||(n.provision=W(`board.not_allowlisted`)):n.provision=W(`reason.board_not_discovered`),e.state===`failed`?e.retry_count>=3&&(n.retry=W(`reason.board_max_retries`,{max:3})):n.retry=W(`reason.board_not_failed`),We.has(e.state)?n.skip=W(`reason.board_in_flight`):e.state===`verified`&&(n.skip=W(`reason.board_verified`)),n)}function ot(e){if(nt(e.streams))return W(`reason.offline`);let t=e.session;return tt(t)?t.state===`closing`?W(`reason.session_ending`):t.state===`paused`?W(`reason.session_paused`):null:W(`reason.no_session`)}var st=/^[0-9A-Fa-f]{2}([:\-.]?)(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$/,ct=/^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;function lt(e){let t=e.trim();return!st.test(t)&&!ct.test(t)?null:t.replace(/[:\-.]/g,``).toUpperCase().match(/../g).join(`:`)}function ut(e){let t=[],n=[];for(let r of e.split(/[\s,;]+/)){if(!r)continue;let e=lt(r);e===null?n.push(r):t.includes(e)||t.push(e)}return{macs:t,invalid:n}}function dt(e){let t=new TextEncoder().encode(e).length;return t>=1&&t<=32?null:W(`start.invalid_ssid`)}function ft(e){return e===``||e.length>=8&&e.length<=63||/^[0-9a-fA-F]{64}$/.test(e)?null:W(`start.invalid_password`)}function pt(e){let t=`stream.${e}`;return[`connected`,`reconnecting`,`polling`,`offline`].includes(e)?W(t):e}function mt(e){return e?[`discovering`,`active`,`paused`,`closing`,`closed`,`unknown`].includes(e.state)?W(`session.state.${e.state}`):e.state:W(`session.none`)}function ht(e){return[`discovered`,`provisioning`,`provisioned`,`verifying`,`verified`,`failed`,`unknown`].includes(e)?W(`board.state.${e}`):e}function K(e,t=0){return e==null||!Number.isFinite(e)?null:e.toFixed(t)}function gt(e){if(e&&typeof e==`object`){let t=e.message;if(typeof t==`string`&&t)return t;let n=e.code;if(typeof n==`string`||typeof n==`number`)return String(n)}return typeof e==`string`&&e?e:`unknown error`}var _t=o`
  :host {
    --pio-gap: var(--ha-space-3, 12px);
    --pio-radius: var(--ha-card-border-radius, 12px);
    --pio-fg: var(--primary-text-color, #212121);
    --pio-fg2: var(--secondary-text-color, #727272);
    --pio-accent: var(--primary-color, #03a9f4);
    --pio-divider: var(--divider-color, rgba(0, 0, 0, 0.12));
    --pio-error: var(--error-color, #db4437);
    --pio-warning: var(--warning-color, #ffa600);
    --pio-success: var(--success-color, #43a047);
    --pio-bg: var(--ha-card-background, var(--card-background-color, #fff));
    color: var(--pio-fg);
  }
  button {
    font: inherit;
    font-size: var(--ha-font-size-s, 0.875rem);
    color: var(--text-primary-color, #fff);
    background: var(--pio-accent);
    border: 1px solid transparent;
    border-radius: 8px;
    padding: 6px 12px;
    min-height: 36px;
    cursor: pointer;
  }
  button.secondary {
    color: var(--pio-accent);
    background: transparent;
    border-color: var(--pio-divider);
  }
  button.danger {
    background: var(--pio-error);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.45;
  }
  button:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  .focusable:focus-visible {
    outline: 2px solid var(--pio-accent);
    outline-offset: 2px;
  }
  input,
  textarea {
    font: inherit;
    color: var(--pio-fg);
    background: var(--pio-bg);
    border: 1px solid var(--pio-divider);
    border-radius: 6px;
    padding: 6px 8px;
    box-sizing: border-box;
    min-height: 36px;
    max-width: 100%;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border-color: var(--pio-error);
  }
  .muted {
    color: var(--pio-fg2);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
  .bar {
    height: 8px;
    border-radius: 4px;
    background: var(--pio-divider);
    overflow: hidden;
  }
  .bar > span {
    display: block;
    height: 100%;
    background: var(--pio-accent);
  }
  .field-error {
    color: var(--pio-error);
    font-size: var(--ha-font-size-s, 0.875rem);
  }
  dialog {
    color: var(--pio-fg);
    background: var(--pio-bg);
    border: none;
    border-radius: var(--pio-radius);
    padding: 16px;
    max-width: min(92vw, 480px);
    box-sizing: border-box;
  }
  dialog:not([open]) {
    display: none;
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.4);
  }
`;function vt(e){if(e&&!e.open){if(typeof e.showModal==`function`)try{e.showModal();return}catch{}e.setAttribute(`open`,``)}}function yt(e){e&&(typeof e.close==`function`?e.close():e.removeAttribute(`open`),e.removeAttribute(`open`))}function q(e,t,n,r){var i=arguments.length,a=i<3?t:r===null?r=Object.getOwnPropertyDescriptor(t,n):r,o;if(typeof Reflect==`object`&&typeof Reflect.decorate==`function`)a=Reflect.decorate(e,t,n,r);else for(var s=e.length-1;s>=0;s--)(o=e[s])&&(a=(i<3?o(a):i>3?o(t,n,a):o(t,n))||a);return i>3&&a&&Object.defineProperty(t,n,a),a}var bt,xt=`piorchestrator-board-tile`,J=class extends R{constructor(...e){super(...e),this.sessionReason=null,this.busy=!1}render(){let e=this.board;if(!e)return j;let t=G(e),n=this.busy?{provision:W(`reason.busy`),retry:W(`reason.busy`),skip:W(`reason.busy`)}:at(e,this.sessionReason);return k`
      <article
        class=${/^[a-z_]+$/.test(e.state)?e.state:`unknown`}
        style=${`--state-color:${et(e.state)}`}
        aria-label=${t}
      >
        <div class="top">
          <ha-icon icon=${$e(e.state)} aria-hidden="true"></ha-icon>
          <span class="name" title=${t}>${t}</span>
          ${this._signal(e.rssi)}
        </div>
        ${e.name?k`<div class="mac">${e.mac}</div>`:j}
        <div class="state">${ht(e.state)}</div>
        <dl class="meta">
          ${e.ip?k`<div><dt>${W(`board.ip`)}</dt><dd>${e.ip}</dd></div>`:j}
          <div><dt>${W(`board.retries`)}</dt><dd>${e.retry_count}</dd></div>
          ${e.in_allowlist?j:k`<div><dd>${W(`board.not_allowlisted`)}</dd></div>`}
        </dl>
        ${e.state===`failed`&&e.error?k`<p class="error">${e.error}</p>`:j}
        <div class="actions">
          ${[`provision`,`retry`,`skip`].map(e=>this._button(e,t,n[e]))}
        </div>
      </article>
    `}_signal(e){let t=Ze(e),n=t===null?W(`aria.signal_unknown`):W(`aria.signal`,{bars:t,rssi:e??``});return k`<span class="signal" role="img" aria-label=${n} title=${n}>
      ${[1,2,3,4].map(e=>k`<i class=${t!==null&&e<=t?`on`:``} style=${`height:${e*25}%`}></i>`)}
    </span>`}_button(e,t,n){let r=W(`action.${e}`);return k`<button
      class=${e===`skip`?`secondary`:``}
      data-action=${e}
      ?disabled=${!!n}
      title=${n??r}
      aria-label=${W(`aria.board_action`,{action:r,name:t})}
      aria-description=${n??j}
      @click=${()=>this._fire(e)}
    >
      ${r}
    </button>`}_fire(e){this.dispatchEvent(new CustomEvent(`board-action`,{detail:{action:e,mac:this.board.mac},bubbles:!0,composed:!0}))}};bt=J,bt.styles=[_t,o`
      :host {
        display: block;
        /* A 500-board session: the browser lays out and paints only the tiles in view. */
        content-visibility: auto;
        contain-intrinsic-size: auto 170px;
      }
      article {
        height: 100%;
        box-sizing: border-box;
        border: 1px solid var(--pio-divider);
        border-left: 4px solid var(--state-color);
        border-radius: 8px;
        padding: 8px 10px;
        display: flex;
        flex-direction: column;
        gap: 4px;
        min-width: 0;
      }
      article.failed {
        background: color-mix(in srgb, var(--pio-error) 8%, transparent);
      }
      .top {
        display: flex;
        align-items: center;
        gap: 6px;
        min-width: 0;
      }
      .name {
        font-weight: var(--ha-font-weight-medium, 500);
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      ha-icon {
        color: var(--state-color);
        --mdc-icon-size: 20px;
        flex: none;
      }
      .mac {
        font-family: var(--ha-font-family-code, monospace);
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
        overflow-wrap: anywhere;
      }
      .state {
        color: var(--state-color);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 12px;
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
        margin: 0;
      }
      .meta div {
        display: flex;
        gap: 4px;
      }
      .meta dd {
        margin: 0;
        color: var(--pio-fg);
        overflow-wrap: anywhere;
      }
      .error {
        color: var(--pio-error);
        font-size: var(--ha-font-size-s, 0.875rem);
        margin: 0;
        overflow-wrap: anywhere;
      }
      .signal {
        display: inline-flex;
        align-items: flex-end;
        gap: 2px;
        height: 14px;
        flex: none;
      }
      .signal i {
        width: 3px;
        background: var(--pio-divider);
        border-radius: 1px;
      }
      .signal i.on {
        background: var(--pio-fg);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-top: auto;
        padding-top: 4px;
      }
      .actions button {
        padding: 4px 8px;
        min-height: 32px;
      }
    `],q([z({attribute:!1})],J.prototype,`board`,void 0),q([z({attribute:!1})],J.prototype,`sessionReason`,void 0),q([z({type:Boolean})],J.prototype,`busy`,void 0),customElements.get(`piorchestrator-board-tile`)||customElements.define(xt,J);var St=[`session`,`streams`,`health`,`door`,`allowlist_counts`,`recoverable`];function Ct(e,t=[],n=[]){if(!t.length&&!n.length)return e;let r=new Map(t.map(e=>[e.mac,e])),i=new Set(n),a=[];for(let t of e){if(i.has(t.mac))continue;let e=r.get(t.mac);e?(r.delete(t.mac),a.push(e)):a.push(t)}for(let e of r.values())i.has(e.mac)||a.push(e);return a}function wt(e,t){if(t.kind===`snapshot`){let e=t.pi;return e.boards&&e.recoverable?e:{...e,boards:e.boards??[],recoverable:e.recoverable??[]}}if(t.kind!==`changes`||e===null)return e;let n={...e};for(let e of St)e in t&&(n[e]=t[e]);return`allowlist`in t&&(n.allowlist=t.allowlist),(t.boards||t.removed_boards)&&(n.boards=Ct(e.boards,t.boards,t.removed_boards)),n}function Tt(e,t){if(t.kind===`snapshot`)return t.pis;if(t.kind!==`changes`||e===null)return e;let n=new Map((t.pis??[]).map(e=>[e.entry_id,e])),r=new Set(t.removed??[]),i=[];for(let t of e)r.has(t.entry_id)||(i.push(n.get(t.entry_id)??t),n.delete(t.entry_id));for(let e of n.values())r.has(e.entry_id)||i.push(e);return i}var Et=3e4,Dt=class{constructor(e,t){this._host=e,this._options=t,this._generation=0,this._error=null,this._reconnecting=!1,this._onDisconnected=()=>{this._setReconnecting(!0)},e.addController(this)}get error(){return this._error}set error(e){this._setError(e)}get reconnecting(){return this._reconnecting}get hass(){return this._hass}set hass(e){let t=this._hass;this._hass=e,t&&t.connection!==e.connection&&this.stop(),this.subscribe()}hostConnected(){this.subscribe()}hostDisconnected(){this.stop()}subscribe(){let e=this._hass;if(!this._host.isConnected||!e||this._unsubscribe)return;let t=this._options.request();if(!t)return;let n=++this._generation,r=e.connection;this._connection=r,r.removeEventListener?.(`disconnected`,this._onDisconnected),r.addEventListener?.(`disconnected`,this._onDisconnected),this._unsubscribe=r.subscribeMessage(e=>{n===this._generation&&(e.kind===`snapshot`&&(this._setReconnecting(!1),this._setError(null)),this._options.onMessage(e))},t),this._unsubscribe.catch(e=>{n===this._generation&&(this._setError(gt(e)),this._retry=setTimeout(()=>{n===this._generation&&(this._unsubscribe=void 0,this.subscribe())},Et))})}async stop(){let e=this._unsubscribe;if(this._unsubscribe=void 0,this._generation+=1,clearTimeout(this._retry),this._connection?.removeEventListener?.(`disconnected`,this._onDisconnected),this._connection=void 0,e)try{await(await e)()}catch(e){e?.code!==`not_found`&&!this._error&&console.warn(`piorchestrator: could not unsubscribe:`,gt(e))}}_setError(e){this._error!==e&&(this._error=e,this._host.requestUpdate())}_setReconnecting(e){this._reconnecting!==e&&(this._reconnecting=e,this._host.requestUpdate())}},Ot,Y=`piorchestrator-session-card`,X=`piorchestrator`,Z=class extends R{constructor(...e){super(...e),this._pi=null,this._errors=[],this._pending=null,this._pendingBoards=/* @__PURE__ */ new Set,this._startError={},this._macError=null,this._bulkError=null,this._editing=null,this._errorId=0,this._sorted=[],this._subscription=new Dt(this,{request:()=>{let e=this._config?.entry_id;return e?{type:`${X}/subscribe`,entry_id:e}:void 0},onMessage:e=>{this._pi=wt(this._pi,e)}}),this._onBoardAction=e=>{this._boardAction(e)}}static getConfigForm(){return{schema:[{name:`entry_id`,required:!0,selector:{config_entry:{integration:X}}}],computeLabel:e=>e.name===`entry_id`?W(`editor.entry`):void 0}}static async getStubConfig(e){let t=``;try{let n=await e.callWS({type:`${X}/entries`});t=(n.find(e=>e.state===`loaded`)??n[0])?.entry_id??``}catch{}return{type:`custom:${Y}`,entry_id:t}}setConfig(e){if(!e||typeof e!=`object`)throw Error(W(`error.no_entry`));let t=e.entry_id!==this._config?.entry_id;this._config={...e},t&&(this._subscription.stop(),this._pi=null,this._subscription.error=null,this._subscription.subscribe())}set hass(e){Ue(e.locale?.language??e.language),this._subscription.hass=e}get hass(){return this._subscription.hass}getCardSize(){let e=this._pi?.boards.length??0;return 4+Math.min(12,Math.ceil(e/3)*3)}getGridOptions(){return{columns:12,rows:`auto`,min_rows:4,min_columns:6}}_addError(e,t){let n=W(`error.action`,{action:e,message:gt(t)});this._errors=[...this._errors,{id:++this._errorId,text:n}]}async _call(e,t,n={}){let r=this.hass,i=this._config?.entry_id;if(!r||!i)return!1;try{return await r.callService(X,t,{config_entry_id:i,...n}),!0}catch(t){return this._addError(e,t),!1}}async _sessionAction(e){if(e===`start`){this._openStart();return}let t=W(`action.${e}`);this._pending=e;try{if(e===`retry_failed`)for(let e of it(this._pi?.boards??[]))await this._call(`${t} (${G(e)})`,`retry_device`,{mac:e.mac});else{let n={pause:`pause_batch`,resume:`resume_batch`,stop:`stop_batch`,provision_all:`provision_all`}[e];await this._call(t,n)}}finally{this._pending=null}}async _boardAction(e){let{action:t,mac:n}=e.detail,r=this._pi?.boards.find(e=>e.mac===n),i=`${W(`action.${t}`)} (${r?G(r):n})`;this._pendingBoards=/* @__PURE__ */ new Set([...this._pendingBoards,n]);try{await this._call(i,`${t}_device`,{mac:n})}finally{let e=new Set(this._pendingBoards);e.delete(n),this._pendingBoards=e}}_dialog(){return this.renderRoot.querySelector(`dialog.start`)}_openStart(){this._startError={},vt(this._dialog()),this.renderRoot.querySelector(`#ssid`)?.focus()}_closeStart(){let e=this.renderRoot.querySelector(`#password`);e&&(e.value=``),yt(this._dialog())}async _submitStart(e){e.preventDefault();let t=this.renderRoot.querySelector(`#ssid`),n=this.renderRoot.querySelector(`#password`);if(!t||!n)return;let r=t.value,i={ssid:dt(r)??void 0,password:ft(n.value)??void 0};if(this._startError=i,!(i.ssid||i.password)){this._pending=`start`;try{await this._call(W(`action.start`),`start_batch`,{target_ssid:r,target_password:n.value})&&this._closeStart()}finally{this._pending=null}}}async _resumeRecoverable(e){this._pending=`resume_session`;try{await this._call(W(`action.resume`),`resume_session`,{session_id:e})}finally{this._pending=null}}_input(e){return this.renderRoot.querySelector(e)}async _addEntry(e){e.preventDefault();let t=this._input(`#al-mac`);if(!t)return;let n=lt(t.value);if(n===null){this._macError=W(`allowlist.invalid_mac`,{value:t.value||`''`});return}this._macError=null;let r=this._input(`#al-description`)?.value.trim()??``,i=this._input(`#al-container`)?.value.trim()??``;this._pending=`allowlist_add`;try{if(await this._call(W(`action.add`),`allowlist_add`,{mac:n,...r?{description:r}:{},...i?{container_id:i}:{}}))for(let e of[`#al-mac`,`#al-description`,`#al-container`]){let t=this._input(e);t&&(t.value=``)}}finally{this._pending=null}}async _addBulk(e){e.preventDefault();let t=this._input(`#al-bulk`);if(!t)return;let{macs:n,invalid:r}=ut(t.value);if(r.length){this._bulkError=W(`allowlist.bulk_invalid`,{values:r.join(`, `)});return}if(!n.length){this._bulkError=W(`allowlist.bulk_none`);return}this._bulkError=null,this._pending=`allowlist_bulk`;let i=!0;try{for(let e of n)i=await this._call(`${W(`action.add`)} (${e})`,`allowlist_add`,{mac:e})&&i;i&&(t.value=``)}finally{this._pending=null}}async _saveEntry(e,t){e.preventDefault();let n=this._input(`#edit-description`)?.value.trim()??``,r=this._input(`#edit-container`)?.value.trim()??``;this._pending=`allowlist_update`;try{await this._call(`${W(`action.save`)} (${t})`,`allowlist_update`,{mac:t,description:n,container_id:r})&&(this._editing=null)}finally{this._pending=null}}async _removeEntry(e){this._pending=`allowlist_remove`;try{await this._call(`${W(`action.remove`)} (${e})`,`allowlist_remove`,{mac:[e]})}finally{this._pending=null}}_sortedBoards(e){return e!==this._sortedFor&&(this._sortedFor=e,this._sorted=Je(e)),this._sorted}render(){if(!this._config?.entry_id)return k`<ha-card><div class="message">${W(`error.no_entry`)}</div></ha-card>`;let e=this._pi;return k`
      <ha-card>
        ${e?this._renderHeader(e):j}
        ${this._renderStatus(e)}
        <div class="errors" role="alert" aria-live="assertive">
          ${this._errors.map(e=>k`<div class="error-line">
              <span>${e.text}</span>
              <button
                class="secondary"
                aria-label=${`${W(`action.dismiss`)}: ${e.text}`}
                @click=${()=>this._errors=this._errors.filter(t=>t.id!==e.id)}
              >
                ${W(`action.dismiss`)}
              </button>
            </div>`)}
        </div>
        ${e?k`${this._renderRecoverable(e)} ${this._renderActions(e)} ${this._renderBoards(e)}
            ${this._renderAllowlist(e)}`:j}
        ${this._renderStartDialog()}
      </ha-card>
    `}_renderStatus(e){let t=null,n=this._subscription;return n.error?t=W(`status.subscribe_failed`,{message:n.error}):n.reconnecting?t=W(`status.reconnecting`):e||(t=W(`status.loading`)),k`<div class="status ${n.error?`bad`:``}" role="status" aria-live="polite">
      ${t??j}
    </div>`}_renderHeader(e){let t=Ye(e.boards),n=Xe(t),r=t.verified+t.failed,i=e.session;return k`
      <header>
        <div class="title-row">
          <h2>${e.title}</h2>
          <span class="chip session-state">${mt(i)}</span>
        </div>
        <div class="streams">
          ${[`events`,`monitor`].map(t=>k`<span class="stream stream-${e.streams?.[t]??`offline`}"
                >${W(`stream.${t}`)}: ${pt(e.streams?.[t]??`offline`)}</span
              >`)}
        </div>
        ${i?.target_ssid?k`<div class="target">${W(`session.target`,{ssid:i.target_ssid})}</div>`:j}
        <div
          class="bar"
          role="progressbar"
          aria-label=${W(`session.progress`)}
          aria-valuemin="0"
          aria-valuemax=${t.found}
          aria-valuenow=${r}
          aria-valuetext=${W(`aria.progress`,{done:r,total:t.found})}
        >
          <span style=${`width:${Math.round(n*100)}%`}></span>
        </div>
        <dl class="counts">
          <div><dt>${W(`count.found`)}</dt><dd class="found">${t.found}</dd></div>
          <div><dt>${W(`count.busy`)}</dt><dd class="busy">${t.busy}</dd></div>
          <div><dt>${W(`count.verified`)}</dt><dd class="verified">${t.verified}</dd></div>
          <div class=${t.failed?`has-failed`:``}>
            <dt>${W(`count.failed`)}</dt><dd class="failed">${t.failed}</dd>
          </div>
        </dl>
      </header>
    `}_renderRecoverable(e){return!e.recoverable?.length||tt(e.session)?j:k`${e.recoverable.map(e=>k`<div class="banner" role="region" aria-label=${W(`recover.title`)}>
        <div>
          <strong>${W(`recover.title`)}</strong>
          <p>
            ${W(`recover.text`,{id:e.id,ssid:e.target_ssid??`?`,count:e.device_count,state:e.state})}
          </p>
        </div>
        <button
          class="resume-recoverable"
          ?disabled=${this._pending!==null}
          @click=${()=>this._resumeRecoverable(e.id)}
        >
          ${W(`action.resume`)}
        </button>
      </div>`)}`}_renderActions(e){let t=rt(e,this._pending!==null),n=[`start`,e.session?.state===`paused`?`resume`:`pause`,`stop`,`provision_all`,`retry_failed`];return k`<div class="actions" role="group" aria-label=${W(`session.progress`)}>
      ${n.map(e=>{let n=t[e];return k`<div class="action">
          <button
            class=${e===`stop`?`danger`:``}
            data-action=${e}
            ?disabled=${!!n}
            aria-describedby=${n?`reason-${e}`:j}
            @click=${()=>this._sessionAction(e)}
          >
            ${W(`action.${e}`)}
          </button>
          ${n?k`<span class="reason" id=${`reason-${e}`}>${n}</span>`:j}
        </div>`})}
    </div>`}_renderBoards(e){let t=this._sortedBoards(e.boards),n=ot(e),r=this._pendingBoards;return k`<section class="boards" aria-label=${W(`boards.title`)}>
      <h3>${W(`boards.title`)}</h3>
      ${t.length?k`<div class="grid" role="list">
            ${ze(t,e=>e.mac,e=>k`<piorchestrator-board-tile
                  role="listitem"
                  .board=${e}
                  .sessionReason=${n}
                  .busy=${r.has(e.mac)}
                  @board-action=${this._onBoardAction}
                ></piorchestrator-board-tile>`)}
          </div>`:k`<p class="muted">${W(`boards.empty`)}</p>`}
    </section>`}_renderAllowlist(e){if(!e.is_admin||!Array.isArray(e.allowlist))return j;let t=e.allowlist_counts,n=this._pending!==null;return k`<section class="allowlist" aria-label=${W(`allowlist.title`)}>
      <h3>${W(`allowlist.title`)}</h3>
      ${t?k`<p class="muted">${W(`allowlist.counts`,{...t})}</p>`:j}
      ${e.allowlist.length?k`<ul class="entries">
            ${ze(e.allowlist,e=>e.mac,e=>this._renderEntry(e,n))}
          </ul>`:k`<p class="muted">${W(`allowlist.empty`)}</p>`}
      <form class="add" @submit=${this._addEntry} novalidate>
        <h4>${W(`allowlist.add_title`)}</h4>
        <label>
          <span>${W(`allowlist.mac`)}</span>
          <input
            id="al-mac"
            autocomplete="off"
            spellcheck="false"
            placeholder="AA:BB:CC:DD:EE:FF"
            aria-invalid=${this._macError?`true`:`false`}
            aria-describedby="al-mac-error"
          />
        </label>
        <label>
          <span>${W(`allowlist.description`)}</span>
          <input id="al-description" autocomplete="off" />
        </label>
        <label>
          <span>${W(`allowlist.container`)}</span>
          <input id="al-container" autocomplete="off" />
        </label>
        <button type="submit" ?disabled=${n}>${W(`action.add`)}</button>
        <span id="al-mac-error" class="field-error">${this._macError??j}</span>
      </form>
      <form class="bulk" @submit=${this._addBulk} novalidate>
        <label>
          <span>${W(`allowlist.bulk_title`)}</span>
          <textarea
            id="al-bulk"
            rows="3"
            spellcheck="false"
            aria-invalid=${this._bulkError?`true`:`false`}
            aria-describedby="al-bulk-hint al-bulk-error"
          ></textarea>
        </label>
        <span id="al-bulk-hint" class="muted hint">${W(`allowlist.bulk_hint`)}</span>
        <button type="submit" ?disabled=${n}>${W(`action.add_all`)}</button>
        <span id="al-bulk-error" class="field-error">${this._bulkError??j}</span>
      </form>
    </section>`}_renderEntry(e,t){return this._editing===e.mac?k`<li class="entry editing" data-mac=${e.mac}>
        <form @submit=${t=>this._saveEntry(t,e.mac)}>
          <span class="mac">${e.mac}</span>
          <label>
            <span>${W(`allowlist.description`)}</span>
            <input id="edit-description" .value=${e.description??``} autocomplete="off" />
          </label>
          <label>
            <span>${W(`allowlist.container`)}</span>
            <input id="edit-container" .value=${e.container_id??``} autocomplete="off" />
          </label>
          <button type="submit" ?disabled=${t}>${W(`action.save`)}</button>
          <button type="button" class="secondary" @click=${()=>this._editing=null}>
            ${W(`action.cancel`)}
          </button>
        </form>
      </li>`:k`<li class="entry ${e.used?`used`:``}" data-mac=${e.mac}>
      <span class="mac">${e.mac}</span>
      <span class="description">${e.description??``}</span>
      <span class="container muted">${e.container_id??``}</span>
      <span class="used-state">${e.used?W(`allowlist.used`):W(`allowlist.available`)}</span>
      <span class="entry-actions">
        <button
          class="secondary"
          data-action="edit"
          aria-label=${W(`aria.entry_action`,{action:W(`action.edit`),mac:e.mac})}
          ?disabled=${t}
          @click=${()=>this._editing=e.mac}
        >
          ${W(`action.edit`)}
        </button>
        <button
          class="danger"
          data-action="remove"
          aria-label=${W(`aria.entry_action`,{action:W(`action.remove`),mac:e.mac})}
          ?disabled=${t}
          @click=${()=>this._removeEntry(e.mac)}
        >
          ${W(`action.remove`)}
        </button>
      </span>
    </li>`}_renderStartDialog(){let e=this._startError;return k`<dialog
      class="start"
      aria-labelledby="start-title"
      @close=${this._closeStart}
      @cancel=${this._closeStart}
    >
      <form @submit=${this._submitStart} novalidate>
        <h3 id="start-title">${W(`start.title`)}</h3>
        <label>
          <span>${W(`start.ssid`)}</span>
          <input
            id="ssid"
            name="ssid"
            autocomplete="off"
            required
            aria-invalid=${e.ssid?`true`:`false`}
            aria-describedby="ssid-error"
          />
        </label>
        <span id="ssid-error" class="field-error">${e.ssid??j}</span>
        <label>
          <span>${W(`start.password`)}</span>
          <input
            id="password"
            type="password"
            autocomplete="new-password"
            aria-invalid=${e.password?`true`:`false`}
            aria-describedby="password-hint password-error"
          />
        </label>
        <span id="password-hint" class="muted hint">${W(`start.password_hint`)}</span>
        <span id="password-error" class="field-error">${e.password??j}</span>
        <div class="dialog-actions">
          <button type="button" class="secondary" @click=${this._closeStart}>
            ${W(`action.cancel`)}
          </button>
          <button type="submit" class="submit" ?disabled=${this._pending===`start`}>
            ${W(`action.start`)}
          </button>
        </div>
      </form>
    </dialog>`}};Ot=Z,Ot.styles=[_t,o`
      :host {
        display: block;
        container-type: inline-size;
      }
      ha-card {
        height: 100%;
        box-sizing: border-box;
        padding: 16px;
        display: flex;
        flex-direction: column;
        gap: var(--pio-gap);
      }
      header {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .title-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
        justify-content: space-between;
      }
      h2 {
        margin: 0;
        font-size: var(--ha-font-size-xl, 1.25rem);
        font-weight: var(--ha-font-weight-medium, 500);
        overflow-wrap: anywhere;
      }
      h3 {
        margin: 0 0 8px;
        font-size: var(--ha-font-size-l, 1.1rem);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      h4 {
        margin: 0;
        width: 100%;
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .chip {
        border: 1px solid var(--pio-divider);
        border-radius: 12px;
        padding: 2px 10px;
        font-size: var(--ha-font-size-s, 0.875rem);
      }
      .streams {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
      }
      .stream-connected::before,
      .stream-reconnecting::before,
      .stream-polling::before,
      .stream-offline::before {
        content: "";
        display: inline-block;
        width: 8px;
        height: 8px;
        border-radius: 50%;
        margin-right: 4px;
        background: var(--pio-success);
      }
      .stream-reconnecting::before,
      .stream-polling::before {
        background: var(--pio-warning);
      }
      .stream-offline::before {
        background: var(--pio-error);
      }
      .counts {
        display: grid;
        grid-template-columns: repeat(4, minmax(0, 1fr));
        gap: 4px;
        margin: 0;
        text-align: center;
      }
      .counts dt {
        font-size: var(--ha-font-size-s, 0.875rem);
        color: var(--pio-fg2);
      }
      .counts dd {
        margin: 0;
        font-size: var(--ha-font-size-l, 1.1rem);
        font-weight: var(--ha-font-weight-bold, 600);
      }
      .counts .has-failed dd {
        color: var(--pio-error);
      }
      .status:empty,
      .errors:empty {
        display: none;
      }
      .status {
        color: var(--pio-warning);
      }
      .status.bad {
        color: var(--pio-error);
      }
      .error-line {
        display: flex;
        align-items: center;
        gap: 8px;
        justify-content: space-between;
        color: var(--pio-error);
        border: 1px solid var(--pio-error);
        border-radius: 8px;
        padding: 6px 8px;
        margin-bottom: 4px;
        overflow-wrap: anywhere;
      }
      .banner {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
        justify-content: space-between;
        border: 1px solid var(--pio-warning);
        border-radius: 8px;
        padding: 8px 12px;
      }
      .banner p {
        margin: 4px 0 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      .action {
        display: flex;
        flex-direction: column;
        gap: 2px;
        max-width: 220px;
      }
      .reason {
        font-size: var(--ha-font-size-xs, 0.75rem);
        color: var(--pio-fg2);
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 215px), 1fr));
        gap: 8px;
      }
      .entries {
        list-style: none;
        margin: 0 0 12px;
        padding: 0;
      }
      .entry {
        display: grid;
        grid-template-columns: minmax(150px, auto) 1fr auto auto auto;
        gap: 4px 12px;
        align-items: center;
        padding: 6px 0;
        border-bottom: 1px solid var(--pio-divider);
      }
      .entry.editing form,
      form.add,
      form.bulk {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: flex-end;
      }
      form.bulk {
        margin-top: 12px;
      }
      .entry.editing {
        display: block;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 2px;
        font-size: var(--ha-font-size-s, 0.875rem);
        min-width: 0;
      }
      form.bulk label {
        width: 100%;
      }
      textarea {
        width: 100%;
      }
      .mac {
        font-family: var(--ha-font-family-code, monospace);
      }
      .entry.used .used-state {
        color: var(--pio-fg2);
      }
      .entry-actions {
        display: flex;
        gap: 6px;
      }
      @container (max-width: 600px) {
        .entry {
          grid-template-columns: 1fr auto;
        }
        .counts {
          grid-template-columns: repeat(2, minmax(0, 1fr));
        }
      }
      dialog form {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      dialog input {
        width: 100%;
      }
      .dialog-actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
        margin-top: 8px;
      }
      .message {
        padding: 8px 0;
      }
      .hint {
        font-size: var(--ha-font-size-s, 0.875rem);
      }
    `],q([B()],Z.prototype,`_config`,void 0),q([B()],Z.prototype,`_pi`,void 0),q([B()],Z.prototype,`_errors`,void 0),q([B()],Z.prototype,`_pending`,void 0),q([B()],Z.prototype,`_pendingBoards`,void 0),q([B()],Z.prototype,`_startError`,void 0),q([B()],Z.prototype,`_macError`,void 0),q([B()],Z.prototype,`_bulkError`,void 0),q([B()],Z.prototype,`_editing`,void 0),customElements.get(`piorchestrator-session-card`)||customElements.define(Y,Z);var kt,Q=`piorchestrator-fleet-card`,At=`piorchestrator`,$=class extends R{constructor(...e){super(...e),this._pis=null,this._open=null,this._subscription=new Dt(this,{request:()=>this._config?{type:`${At}/subscribe_fleet`}:void 0,onMessage:e=>{this._pis=Tt(this._pis,e)}})}static getStubConfig(){return{type:`custom:${Q}`}}setConfig(e){if(!e||typeof e!=`object`)throw Error(`Invalid configuration`);this._config={...e},this._subscription.subscribe()}set hass(e){Ue(e.locale?.language??e.language),this._sessionCard&&(this._sessionCard.hass=e),this._subscription.hass=e}get hass(){return this._subscription.hass}getCardSize(){return 2+(this._pis?.length??1)*2}getGridOptions(){return{columns:12,rows:`auto`,min_rows:2,min_columns:6}}disconnectedCallback(){this._closeSession(),super.disconnectedCallback()}_openSession(e){this._closeSession(),this._open=e;let t=document.createElement(Y);t.setConfig({type:`custom:${Y}`,entry_id:e.entry_id}),this.hass&&(t.hass=this.hass),this._sessionCard=t;let n=this.renderRoot.querySelector(`dialog.session-dialog`);n?.querySelector(`.dialog-body`)?.replaceChildren(t),vt(n)}_closeSession(){this._sessionCard?.remove(),this._sessionCard=void 0,this._open=null,yt(this.renderRoot?.querySelector(`dialog.session-dialog`))}render(){let e=this._pis,t=null;return this._subscription.error?t=W(`status.subscribe_failed`,{message:this._subscription.error}):this._subscription.reconnecting?t=W(`status.reconnecting`):e||(t=W(`status.loading`)),k`<ha-card>
      <h2>${W(`fleet.title`)}</h2>
      <div class="status" role="status" aria-live="polite">${t??j}</div>
      ${e&&!e.length?k`<p class="muted">${W(`fleet.empty`)}</p>`:j}
      ${e?.length?k`<ul class="rows">
            ${ze(e,e=>e.entry_id,e=>this._renderRow(e))}
          </ul>`:j}
      <dialog
        class="session-dialog"
        aria-label=${this._open?.title??W(`card.session.name`)}
        @close=${this._closeSession}
      >
        <div class="dialog-head">
          <button class="secondary close" @click=${this._closeSession}>${W(`action.close`)}</button>
        </div>
        <div class="dialog-body"></div>
      </dialog>
    </ha-card>`}_renderRow(e){let t=e.session,n=t&&(t.device_count||e.board_count)||0,r=(t?.verified_count??0)+(t?.failed_count??0),i=n?Math.min(1,r/n):0,a=e.failed_boards??[],o=[K(e.health?.cpu_percent)===null?null:W(`health.cpu`,{value:K(e.health.cpu_percent)}),K(e.health?.memory_percent)===null?null:W(`health.memory`,{value:K(e.health.memory_percent)}),K(e.health?.temperature,1)===null?null:W(`health.temperature`,{value:K(e.health.temperature,1)})].filter(e=>e!==null),s=e.door??{door:`unknown`,lock:`unknown`},c=`${jt(`door`,s.door)}, ${jt(`lock`,s.lock)}`;return k`<li class=${a.length?`has-failed`:``} data-entry=${e.entry_id}>
      <button
        class="row"
        aria-label=${W(`fleet.open`,{name:e.title})}
        @click=${()=>this._openSession(e)}
      >
        <span class="name">${e.title}</span>
        <span class="cell streams">
          ${[`events`,`monitor`].map(t=>k`<span class="stream stream-${e.streams?.[t]??`offline`}"
                >${W(`stream.${t}`)}: ${pt(e.streams?.[t]??`offline`)}</span
              >`)}
        </span>
        <span class="cell health">${o.length?o.join(` · `):`—`}</span>
        <span class="cell door">${c}</span>
        <span class="cell session">
          <span
            >${mt(t)}${n?k` · ${r}/${n}`:j}</span
          >
          <span class="bar" aria-hidden="true"
            ><span style=${`width:${Math.round(i*100)}%`}></span
          ></span>
        </span>
        ${a.length?k`<span class="cell failed"
              >${W(`fleet.failed`,{count:a.length,names:a.map(e=>G(e)).join(`, `)})}</span
            >`:j}
      </button>
    </li>`}};kt=$,kt.styles=[_t,o`
      :host {
        display: block;
        container-type: inline-size;
      }
      ha-card {
        height: 100%;
        box-sizing: border-box;
        padding: 16px;
      }
      h2 {
        margin: 0 0 8px;
        font-size: var(--ha-font-size-xl, 1.25rem);
        font-weight: var(--ha-font-weight-medium, 500);
      }
      .status:empty {
        display: none;
      }
      .status {
        color: var(--pio-warning);
      }
      .rows {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      button.row {
        width: 100%;
        text-align: left;
        color: var(--pio-fg);
        background: transparent;
        border: 1px solid var(--pio-divider);
        border-left: 4px solid var(--pio-success);
        display: grid;
        grid-template-columns:
          minmax(0, 1.2fr) minmax(0, 1fr) minmax(0, 1.4fr) minmax(0, 0.9fr)
          minmax(0, 1.2fr);
        gap: 4px 12px;
        align-items: center;
        padding: 8px 10px;
      }
      li.has-failed button.row {
        border-left-color: var(--pio-error);
        background: color-mix(in srgb, var(--pio-error) 8%, transparent);
      }
      .name {
        font-weight: var(--ha-font-weight-medium, 500);
        overflow-wrap: anywhere;
      }
      .cell {
        font-size: var(--ha-font-size-s, 0.875rem);
        min-width: 0;
      }
      .streams {
        display: flex;
        flex-direction: column;
      }
      .stream-reconnecting,
      .stream-polling {
        color: var(--pio-warning);
      }
      .stream-offline {
        color: var(--pio-error);
      }
      .session {
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      .failed {
        grid-column: 1 / -1;
        color: var(--pio-error);
        overflow-wrap: anywhere;
      }
      @container (max-width: 640px) {
        button.row {
          grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        }
      }
      dialog.session-dialog {
        width: min(96vw, 1100px);
        max-width: 96vw;
        max-height: 92vh;
        overflow: auto;
        padding: 8px;
      }
      .dialog-head {
        display: flex;
        justify-content: flex-end;
        align-items: center;
        padding: 4px 8px 8px;
      }
    `],q([B()],$.prototype,`_config`,void 0),q([B()],$.prototype,`_pis`,void 0),q([B()],$.prototype,`_open`,void 0);function jt(e,t){return[`open`,`closed`,`locked`,`unlocked`,`unknown`].includes(t)?W(`${e}.${t}`):t}customElements.get(`piorchestrator-fleet-card`)||customElements.define(Q,$);var Mt=`https://github.com/piorchestrator-ha/piorchestrator-homeassistant`;function Nt(e=window){e.customCards??(e.customCards=[]);let t=[{type:Y,name:W(`card.session.name`),description:W(`card.session.description`),preview:!0,documentationURL:Mt},{type:Q,name:W(`card.fleet.name`),description:W(`card.fleet.description`),preview:!0,documentationURL:Mt}];for(let n of t)e.customCards.some(e=>e.type===n.type)||e.customCards.push(n)}Nt();export{Nt as registerCards};